## Kepil message catalogue, English: the desktop app. Its own codes (kepil_app::error::APP_CODES
## and the UI's ipc_error), then the app's wording of library codes where it differs from the
## terminal's (code-app / code-do-app: Settings and History instead of `kepil` commands).
## Only the UI reads the -app keys; key scheme: see core.ftl.

## The app's own codes

ipc_error = The app could not carry out the command ({ $message }).
    .bare = The app could not carry out the command.
ipc_error-do = Restart Kepil; if it happens again, report it to your ICT administrator.
setting_locked = This setting is locked by your agency's policy.
setting_locked-do = Contact your ICT administrator to change it.
token_empty = The token is empty.
token_empty-do = Paste the token your ICT administrator gave you.
dialog_failed = The file chooser could not be opened.
dialog_failed-do = Try again, or drag and drop the files here.
file_not_dropped = The dropped item is not a regular file.
file_not_dropped-do = Drag files, not folders.
unknown_file = One of the chosen files is no longer in the list.
unknown_file-do = Remove it and choose it again.
unknown_folder = The folder to save into was not chosen in this window's folder dialog.
unknown_folder-do = Press Save again and choose the folder in the dialog.
unknown_job = This transfer's details are no longer in the app (Kepil may have restarted).
unknown_job-do = Check History or send again.
no_password = This recipient has no password (a TERBUKA file sent with a link only).
no_password-do = Send the link only.
qr_failed = The QR code could not be made.
qr_failed-do = Read out or copy the password instead.
clipboard_failed = The clipboard cannot be used.
clipboard_failed-do = Show the password and read it out by phone.
open_failed = Another app could not be opened for this.
open_failed-do = Open the folder or your mail app by hand.
sms_unavailable = SMS is not available (no agency SMS gateway).
sms_unavailable-do = Read the password out by phone.
sms_no_phone = There is no phone number for this recipient.
sms_no_phone-do = Read the password out by phone.
sms_failed = The SMS could not be sent through the agency gateway (HTTP { $status }).
    .bare = The SMS could not be sent through the agency gateway.
sms_failed-do = Try again, or read the password out by phone.
nothing_unlocked = No transfer is open.
nothing_unlocked-do = Open the link and enter the password again.
local_store_failed = The local store could not start.
local_store_failed-do = Check the free disk space, or set your agency's store address in Settings.
mail_unknown = "{ $input }" is not a mail system Kepil can write the email in.
    .bare = That is not a mail system Kepil can write the email in.
mail_unknown-do = Choose Gmail, Outlook on the web or this computer's mail program.

## Library codes, as the app words them

language_unknown-do-app = Choose Bahasa Melayu or English.
classification_unknown-do-app = Choose TERBUKA, TERHAD or SULIT.
classification_refused-do-app = Hand the document over as the Security Instructions require, for example by hand through a method approved by your department's Security Officer.
unauthorized-do-app = { $role ->
    [owner] Status and revoke work only from the computer that sent the transfer.
   *[uploader] Enter a valid uploader token in Settings or ask your ICT administrator for a new one.
}
    .bare = Enter a valid uploader token in Settings or ask your ICT administrator for a new one.
http_error-do-app = Check the store address in Settings or try again later.
protocol_error-do-app = Check the store address in Settings; report it to your ICT administrator if it persists.
bad_url-do-app = Check the store address in Settings.
no_home_directory-do-app = Contact your ICT administrator.
bad_config_file-do-app = Contact your ICT administrator to fix it.
no_store-do-app = Enter the store address in Settings.
no_token-do-app = Enter one in Settings (get it from your ICT administrator).
no_files-do-app = Choose at least one file.
no_recipients-do-app = Add at least one recipient.
duplicate_recipient-do-app = List each recipient once.
expiry_too_long-app = Expiry { $requested_secs } is above the maximum ({ $limit_secs }) for this classification.
    .bare = The expiry is above the store's maximum for this classification.
expiry_too_long-do-app = Choose a shorter one; nothing was uploaded.
too_many_downloads-do-app = Choose { $limit } or fewer.
    .bare = Choose a smaller number.
too_large-app = The encrypted package ({ $size }) is above the store's maximum ({ $limit }).
    .bare = The files are too large for the store.
quota_exceeded-do-app = Revoke old transfers in History or contact your ICT administrator.
upload_complete-do-app = See History.
rate_limited-do-app = Wait { $retry_after_secs } and try again.
    .bare = Wait a minute and try again.
upload_interrupted-do-app = Check the network and send again.
resume_ambiguous-do-app = Send again from the start.
resume_impossible-do-app = Revoke it in History and send again.
output_exists-do-app = Choose another folder.
unknown_transfer-do-app = Refresh History.
unknown_recipient-do-app = Refresh the status.
recipient_needed-do-app = Choose the recipient in History.
token_not_allowed-do-app = Sign in with your agency account (Settings).
provider_locked-do-app = Sign in with { $provider }.
    .bare = Sign in with the provider your agency chose.
sign_in_required-do-app = Sign in with your agency account (Settings).
not_signed_in-do-app = Sign in with your agency account (Settings).
sign_in_ended-do-app = Sign in again (Settings).
id_token_invalid-do-app = Sign in again; if it happens again, tell your ICT administrator.
id_token_expired-do-app = Sign in again.
sign_in_unavailable-do-app = Enter the token your ICT administrator gave you in Settings.
provider_choice-do-app = Choose one: { $known }.
    .bare = Choose one of them.
sign_in_listener-do-app = Restart Kepil and try again; if it persists, tell your ICT administrator.
sign_in_timeout-do-app = Press Sign in again and finish signing in in the browser.
sign_in_cancelled-do-app = Nothing was saved; sign in again when you are ready.
sign_in_denied-do-app = Press Sign in again and allow Kepil access to your account.
sign_in_state_mismatch-do-app = Press Sign in again and use only the newest sign-in page.
