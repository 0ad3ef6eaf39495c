## Kepil message catalogue, English: errors of kepil-client (the store's answers, settings,
## sending, receiving, status and revoke). Key scheme: see core.ftl.

-login = Run `kepil login` with a valid uploader token, or ask the administrator for a new one.

## The network and the store's own error codes (kepil-protocol ErrorCode)

network = { $direction ->
    [receive] The download stopped ({ $reason }).
   *[other] Could not reach the Kepil store ({ $reason }).
}
    .bare = Could not reach the Kepil store.
network-do = { $direction ->
    [receive] Try again; the same link works while downloads remain.
   *[other] Check the network connection and try again.
}
    .bare = Check the network connection and try again.
http_error = The Kepil store answered with an unexpected HTTP { $status }.
    .bare = The Kepil store gave an unexpected answer.
http_error-do = Check the store address or try again later.
protocol_error = The store's answer does not follow the Kepil protocol ({ $reason }).
    .bare = The store's answer does not follow the Kepil protocol.
protocol_error-do = Check the store address; report it to the administrator if it persists.
answer_too_large = The store sent an answer longer than any Kepil answer can be (over { $limit } bytes); Kepil stopped reading it.
    .bare = The store sent an answer longer than any Kepil answer can be; Kepil stopped reading it.
answer_too_large-do = Do not continue with this store: check that the link or address is your agency's Kepil store, and report it to your ICT administrator.
bad_url = Invalid address: { $url }.
    .bare = Invalid address.
bad_url-do = Check the store address.
bad_certificate = The agency CA certificate cannot be read ({ $reason }).
    .bare = The agency CA certificate cannot be read.
bad_certificate-do = Check the certificate file given with --ca-certificate, KEPIL_CA_CERTIFICATE or `ca_certificate` in config.toml; if the Kepil system policy names it, ask your ICT administrator to fix it.
certificate_untrusted = The certificate of { $host } cannot be verified ({ $reason }): it was not issued by an authority this computer trusts, has expired, or names another server. Kepil did not connect.
    .bare = The server's certificate cannot be verified: it was not issued by an authority this computer trusts, has expired, or names another server. Kepil did not connect.
certificate_untrusted-do = If it is your agency's store, ask your ICT administrator to install the agency's CA certificate on this computer (or name it in the Kepil policy). Otherwise do not use this link, and report it to your ICT Security Officer (ICTSO).
bad_request = The store refused a malformed request ({ $detail }).
    .bare = The store refused a malformed request.
bad_request-do = Update Kepil or report it to your ICT administrator.
unauthorized = { $role ->
    [owner] The store refused the owner token of this transfer.
   *[uploader] The store refused your uploader token.
}
    .bare = The store refused your token.
unauthorized-do = { $role ->
    [owner] Status and revoke work only from the computer that sent the transfer.
   *[uploader] { -login }
}
    .bare = { -login }
unavailable = { $role ->
    [owner] This transfer is no longer on the store (expired, revoked or purged).
   *[recipient] This link does not exist or is no longer available (expired, revoked or used up).
}
    .bare = This link does not exist or is no longer available (expired, revoked or used up).
unavailable-do = { $role ->
    [owner] Send the files again if the recipients still need them.
   *[recipient] Check the link, or ask the sender to send it again.
}
    .bare = Check the link, or ask the sender to send it again.
kdf_rejected = The store refused the key parameters.
kdf_rejected-do = Update Kepil or report it to your ICT administrator.
offset_mismatch = The upload got out of step with the store.
offset_mismatch-do = Try sending again.
checksum_mismatch = Data was damaged during the upload (a chunk's checksum did not match).
checksum_mismatch-do = Check the network and send again.
blob_hash_mismatch = The uploaded package is incomplete or damaged (its checksum did not match).
blob_hash_mismatch-do = Send again.
upload_complete = This upload is already complete.
upload_complete-do = See `kepil status`.
not_ready = The sender has not finished uploading.
not_ready-do = Try again shortly.
challenge_expired = The verification session expired.
challenge_expired-do = Try again.
wrong_password = Wrong password. { $tries_left ->
        [one] One try left
       *[other] { $tries_left } tries left
    } before the link locks.
    .bare = Wrong password.
wrong_password-do = Check the password with the sender (by SMS or phone).
locked = This link is locked after too many wrong passwords.
locked-do = Call the sender: once they know the wrong passwords were yours, they can unlock it, and the same link and password work again.
expired = This transfer has expired.
expired-do = Ask the sender to send it again.
revoked = The sender revoked this link.
revoked-do = Contact the sender if you still need the files.
used_up = This link has been used as many times as allowed.
used_up-do = Ask the sender to send it again if needed.
rate_limited = Too many requests from this computer.
rate_limited-do = Wait { $retry_after_secs } seconds and try again.
    .bare = Wait a minute and try again.
conflict = The store refused the transfer id.
conflict-do = Try sending again.
unsupported = The store does not support this request.
unsupported-do = Update Kepil or contact your ICT administrator.
payload_too_large = The request is too large for the store.
payload_too_large-do = Shorten the message or use fewer recipients.
internal = Internal error in the store.
internal-do = Try again later; if it persists, contact your ICT administrator.
id_token_invalid = The store did not accept your sign-in (the identity provider's answer was not valid for this store).
id_token_invalid-do = Sign in again with `kepil login`; if it happens again, tell your ICT administrator.
id_token_expired = Your sign-in is too old for the store.
id_token_expired-do = Sign in again with `kepil login`.
email_unverified = Your identity provider does not confirm your e-mail address.
email_unverified-do = Ask your ICT administrator to verify the address on your account.
domain_not_allowed = This store does not accept accounts of your domain.
domain_not_allowed-do = Sign in with your agency account, or ask your ICT administrator which store to use.
group_required = Your account is not in the group allowed to send with Kepil.
group_required-do = Ask your ICT administrator to add you to the Kepil senders group.
identity_disabled = Your account is disabled at this store.
identity_disabled-do = Contact your ICT administrator.
token_expired = Your store token has expired.
token_expired-do = Sign in again, or ask your ICT administrator for a new token.
forbidden = Only store administrators may do this.
forbidden-do = Sign in with an administrator account, or ask an administrator.
provider_unavailable = The store could not reach the identity provider to check your sign-in.
provider_unavailable-do = Try again in a few minutes; if it persists, contact your ICT administrator.
sign_in_required = This store accepts files only from signed-in officers, not from tokens.
sign_in_required-do = Sign in with `kepil login`.

## Settings and credentials

no_home_directory = There is no home directory to keep settings in.
no_home_directory-do = Set KEPIL_CONFIG_DIR.
bad_config_file = The config file { $path } is malformed ({ $reason }).
    .bare = Kepil's settings file is damaged.
bad_config_file-do = Fix or remove it.
config_io = Cannot read or write { $path } ({ $reason }).
    .bare = Cannot read or write Kepil's settings.
config_io-do = Check the free disk space and the folder's permissions.
bad_store_url = Invalid store address: { $url }.
    .bare = Invalid store address.
bad_store_url-do = Use https://… (http only for 127.0.0.1/localhost).
no_store = No Kepil store is configured.
no_store-do = Use --store URL, KEPIL_STORE or `store` in config.toml.
no_token = No uploader token for { $store }.
    .bare = No uploader token.
no_token-do = Run `kepil login` or set KEPIL_TOKEN.
policy_invalid = The system policy file { $path } is damaged.
    .bare = The system policy file is damaged.
policy_invalid-do = Contact your ICT administrator to fix it.
policy_unprotected = The system policy file { $path } can be changed by someone other than the administrator, so Kepil does not trust it and sends nothing.
    .bare = The system policy file can be changed by someone other than the administrator.
policy_unprotected-do = Ask your ICT administrator to make the file and its folder belong to root and writable by root only (chown root:root, chmod 644 for the file and 755 for the folder).
store_locked = This computer's system policy sends only to { $store }, not to { $wanted }.
    .bare = This computer's system policy locks the store.
store_locked-do = Leave out --store and KEPIL_STORE; Kepil uses your agency's store. Ask your ICT administrator if you need another.
token_not_allowed = This computer's system policy requires signing in with your agency account: machine tokens are not accepted here.
token_not_allowed-do = Sign in with `kepil login` instead; a KEPIL_TOKEN in the environment is not used here either.
credentials_unavailable = The credential store cannot be used ({ $reason }).
    .bare = The system credential store cannot be used.
credentials_unavailable-do = Log out and in again, or contact your ICT administrator.

## Sending

no_files = No files to send.
no_files-do = Name at least one file.
no_recipients = No recipients.
no_recipients-do = Use --to at least once.
duplicate_recipient = Recipient { $recipient } is named twice.
    .bare = The same recipient is listed twice.
duplicate_recipient-do = Name each recipient once.
recipient_invalid = The recipient address { $recipient } is not valid.
    .bare = A recipient address is not valid.
recipient_invalid-do = Correct it and send again.
phone_invalid = The phone number { $phone } is not valid.
    .bare = A phone number is not valid.
phone_invalid-do = Use 012-345 6789 or +60123456789.
classification_not_accepted = This store does not accept { $classification } files.
    .bare = This store does not accept this classification.
classification_not_accepted-do = Contact the store's administrator.
expiry_too_long = Expiry { $requested } is above the store's maximum ({ $limit }) for this classification.
    .bare = The expiry is above the store's maximum for this classification.
expiry_too_long-do = Choose --expires { $limit } or less; nothing was uploaded.
    .bare = Choose a shorter expiry; nothing was uploaded.
too_many_downloads = { $requested } downloads is above the store's maximum ({ $limit }) per recipient.
    .bare = The download limit is above the store's maximum.
too_many_downloads-do = Choose --max-downloads { $limit } or less; nothing was uploaded.
    .bare = Choose a smaller number; nothing was uploaded.
too_large = The encrypted package ({ $size } bytes) is above the store's maximum ({ $limit } bytes).
    .bare = The files are too large for the store.
too_large-do = Send smaller files or split them over several transfers.
quota_exceeded = Your upload quota on the store is full.
quota_exceeded-do = Revoke old transfers with `kepil revoke` or contact the administrator.
spool_io = Cannot use the spool file { $path } ({ $reason }).
    .bare = Cannot write the temporary file.
spool_io-do = Check the free disk space and try again.
upload_interrupted = The upload stopped ({ $cause }).
    .bare = The upload stopped.
upload_interrupted-do = Resume it with `kepil send --resume { $transfer_id }`.
    .bare = Check the network and send again.
nothing_to_resume = There is no interrupted upload to resume.
nothing_to_resume-do = Send again from the start.
resume_ambiguous = Several interrupted uploads: { $ids }.
    .bare = There are several interrupted uploads.
resume_ambiguous-do = Name one: `kepil send --resume ID`.
resume_impossible = The upload of { $transfer_id } cannot be resumed ({ $reason }).
    .bare = The upload cannot be resumed.
resume_impossible-do = Revoke it with `kepil revoke { $transfer_id }` and send again.
    .bare = Revoke it and send again.
files_changed = The file { $path } changed after the upload of { $transfer_id } started, so that upload cannot be completed.
    .bare = A file changed while it was being sent, so the upload could not be completed.
files_changed-do = The transfer was cancelled: send the files again.
sender_mismatch = You are signed in as { $signed_in }, so the sender cannot be { $given }.
    .bare = The sender must be the address you are signed in with.
sender_mismatch-do = Leave out --from, or give only a display name, e.g. --from "Your Name".

## Receiving

password_required = This transfer needs a password.
password_required-do = Enter the password sent to you by another channel (SMS or phone), or contact the sender.
output_io = Cannot write { $path } ({ $reason }).
    .bare = Cannot write files to that folder.
output_io-do = Choose another folder or check the free disk space.
output_exists = { $path } already exists.
    .bare = A file with the same name already exists in that folder.
output_exists-do = Choose another name or folder.
declined = Not saved.

## Before saving: what the recipient should know (warnings, not errors)

sender_differs = The store { $store } vouches that { $verified } uploaded this package, but the package names { $sealed } as its sender.
    .bare = The store vouches for a different uploader than the sender named in the package.
sender_differs-do = Do not trust the name in the package: before you open the files, confirm with { $verified } by phone or another channel you already know that they sent it (MyGovUC guideline 3.2 A iii 1 and 3).
    .bare = Do not trust the name in the package: before you open the files, confirm with the uploader the store names, by phone or another channel you already know, that they sent it (MyGovUC guideline 3.2 A iii 1 and 3).
store_unconfirmed = { $idn ->
    [yes] This link points to the store { $host }, which this computer does not know. Its name uses non-Latin letters (shown here as "xn--…"), as look-alikes of real names do. Kepil has not contacted it.
   *[no] This link points to the store { $host }, which this computer does not know. Kepil has not contacted it.
}
    .bare = This link points to a store this computer does not know. Kepil has not contacted it.
store_unconfirmed-do = Contact it only if the sender told you, through a channel you already know, that their agency's store is { $host } (MyGovUC guideline 3.2 A iii 1 and 3); otherwise report the email to your ICT Security Officer.
    .bare = Contact it only if the sender told you, through a channel you already know, which store their agency uses; otherwise report the email to your ICT Security Officer.
store_refused = This link points to the store { $host }, which is not one this computer's policy trusts. Kepil did not contact it.
    .bare = This link points to a store this computer's policy does not trust. Kepil did not contact it.
store_refused-do = If the sender's agency really uses this store, ask your ICT administrator to add it to Kepil's policy ([trust] stores); otherwise report the email to your ICT Security Officer.
sender_unverified = The store { $store } does not say who uploaded this package; "{ $sealed }" is only what the package itself says.
    .bare = The store does not say who uploaded this package; its sender is only what the package itself says.
sender_unverified-do = Before you open the files, confirm with the sender by phone or another channel you already know that they sent it (MyGovUC guideline 3.2 A iii 1 and 3).
classification_differs = The package is marked { $sealed } inside, but the store lists it as { $declared }; Kepil treats it as { $shown }.
    .bare = The package's own classification differs from the one the store lists; Kepil treats it as the higher of the two.
classification_differs-do = { $unprotected ->
    [yes] Handle the files as { $shown }. They reached you without a password, which { $sealed } information must never do: report it to your agency's ICT Security Officer (MyGovUC guideline 3.2 A iii 2).
   *[no] Handle the files as { $shown } and tell the sender that the two labels differ.
}
    .bare = Handle the files at the higher classification and tell the sender that the two labels differ.
dangerous_file = { $name } is { $kind ->
    [macro] a document that can carry macros
    [disk_image] a disk image
   *[program] a program, script or shortcut
}: opening it can run code on your computer.
    .bare = A file in this package can run code on your computer when opened.
dangerous_file-do = Open it only if you expected exactly this file from this sender, and have it checked by your agency's malware scanner first.

## Status and revoke

unknown_transfer = No transfer { $id } in this computer's send history.
    .bare = This transfer is not in this computer's send history.
unknown_transfer-do = Use a transfer ID or a link you sent from this computer.
no_owner_token = The owner token for { $transfer_id } is not in the credential store.
    .bare = This transfer's owner token is not on this computer.
no_owner_token-do = Status and revoke work only from the computer that sent it.
unknown_recipient = No recipient { $recipient } in transfer { $transfer_id }.
    .bare = That recipient is not in this transfer.
unknown_recipient-do = Check `kepil status { $transfer_id }`.
    .bare = Check the transfer's status.
recipient_needed = Transfer { $transfer_id } has several recipients.
    .bare = This transfer has several recipients.
recipient_needed-do = Name the one to unlock with `--recipient` (see `kepil status { $transfer_id }`).
    .bare = Name the recipient to unlock.
transfer_id_invalid = { $id } is not a transfer ID.
    .bare = That is not a transfer ID.
transfer_id_invalid-do = Copy the ID from `kepil transfers` or from what `kepil send` printed.

## Sign-in with the agency's identity provider

sign_in_unavailable = The store { $store } does not offer sign-in with an identity provider.
    .bare = This store does not offer sign-in with an identity provider.
sign_in_unavailable-do = Save the token your ICT administrator gave you with `kepil login --token`.
provider_unknown = The store has no identity provider called { $provider }.
    .bare = The store has no identity provider of that name.
provider_unknown-do = Choose one of: { $known }.
    .bare = Choose one of the store's identity providers.
provider_choice = The store offers several identity providers.
provider_choice-do = Choose one with --provider: { $known }.
    .bare = Choose one of them.
provider_locked = This computer's system policy signs in with { $provider }, not { $wanted }.
    .bare = This computer's system policy names the identity provider to sign in with.
provider_locked-do = Run `kepil login` without --provider.
provider_insecure = The identity provider's address { $issuer } is not protected by https.
    .bare = The identity provider's address is not protected by https.
provider_insecure-do = Nothing was sent. Tell your ICT administrator; Kepil signs in only over https.
provider_discovery = Could not read the identity provider's settings at { $issuer } ({ $reason }).
    .bare = Could not read the identity provider's settings.
provider_discovery-do = Check the network connection and try again; if it persists, tell your ICT administrator.
provider_unreachable = Could not reach the identity provider { $provider } ({ $reason }).
    .bare = Could not reach the identity provider.
provider_unreachable-do = Check the network connection and try again.
sign_in_listener = Could not wait for the browser on this computer ({ $reason }).
    .bare = Could not wait for the browser on this computer.
sign_in_listener-do = Sign in without the browser here: `kepil login --no-browser`.
sign_in_timeout = The sign-in was not completed within { $waited }.
    .bare = The sign-in was not completed in time.
sign_in_timeout-do = Run `kepil login` again and finish signing in in the browser.
sign_in_cancelled = The sign-in was cancelled.
sign_in_cancelled-do = Nothing was saved; run `kepil login` again when you are ready.
sign_in_denied = The sign-in was refused or cancelled at the identity provider.
sign_in_denied-do = Run `kepil login` again and allow Kepil access to your account.
sign_in_refused = The identity provider refused the sign-in ({ $error }: { $description }).
    .bare = The identity provider refused the sign-in.
sign_in_refused-do = Try again; if it persists, tell your ICT administrator.
sign_in_state_mismatch = The answer from the browser does not belong to this sign-in, so it was refused.
sign_in_state_mismatch-do = Run `kepil login` again and use only the newest sign-in page.
sign_in_bad_redirect = That is not the address the sign-in ended on ({ $reason }).
    .bare = That is not the address the sign-in ended on.
sign_in_bad_redirect-do = After signing in, copy the whole address from the browser's address bar (it starts with http://127.0.0.1) and paste it again.
id_token_missing = The identity provider answered without an ID token.
id_token_missing-do = Tell your ICT administrator: Kepil's client there must be allowed the openid scope.
id_token_rejected = The identity provider's answer failed Kepil's checks ({ $reason }).
    .bare = The identity provider's answer failed Kepil's checks.
id_token_rejected-do = Try again; if it persists, tell your ICT administrator.
id_token_no_email = The identity provider did not give your e-mail address.
id_token_no_email-do = Tell your ICT administrator: Kepil's client there needs the email scope.
device_flow_unsupported = The identity provider does not offer sign-in with a code on another device.
device_flow_unsupported-do = Sign in by pasting the address instead: `kepil login --no-browser`.
device_code_expired = The code was not entered in time.
device_code_expired-do = Run `kepil login --no-browser` again and enter the new code sooner.
not_signed_in = You are not signed in to { $store }.
    .bare = You are not signed in.
not_signed_in-do = Sign in with `kepil login`.
sign_in_ended = Your sign-in at { $provider } has ended (you signed out there, it expired, or the account was disabled).
    .bare = Your sign-in at the identity provider has ended.
sign_in_ended-do = Sign in again with `kepil login`.

## Malware scanning

scanner_address_invalid = "{ $address }" is not a scanner address.
    .bare = The malware scanner address is not valid.
scanner_address_invalid-do = Tell your ICT administrator: the scanner is named as unix:/path/to/clamd.sock or tcp://host:port in Kepil's policy.
scanner_unreachable = The malware scanner at { $address } cannot be reached ({ $reason }).
    .bare = The malware scanner cannot be reached.
scanner_unreachable-do = Tell your ICT administrator that the ClamAV service (clamd) on this computer is not running or not reachable; nothing was sent or saved.
scanner_failed = The malware scan at { $address } broke off ({ $reason }).
    .bare = The malware scan broke off.
scanner_failed-do = Try again; if it persists, tell your ICT administrator that the ClamAV service (clamd) on this computer stops during scans. Nothing was sent or saved.
scan_too_large = { $name } is larger than the malware scanner is set to accept.
    .bare = A file is larger than the malware scanner is set to accept.
scan_too_large-do = Tell your ICT administrator to raise StreamMaxLength in clamd.conf (at most 4 GB), or send a smaller file. Nothing was sent or saved.
scanner_error = The malware scanner reported an error ({ $reason }).
    .bare = The malware scanner reported an error.
scanner_error-do = Tell your ICT administrator, with this message; nothing was sent or saved.
scanner_protocol = The malware scanner's answer was not understood ({ $answer }).
    .bare = The malware scanner's answer was not understood.
scanner_protocol-do = Tell your ICT administrator that the scanner address in Kepil's policy may not be a ClamAV service.
scanner_not_configured = This computer's Kepil policy requires a malware scan, but names no scanner.
scanner_not_configured-do = Tell your ICT administrator: set scan.scanner in Kepil's policy to the ClamAV service (clamd) of this computer. Nothing was sent or saved.
scanner_signatures_undated = The malware scanner's signatures ({ $engine }) do not say when they were built; this computer's policy accepts signatures at most { $max_hours } hours old.
    .bare = The malware scanner's signatures do not say when they were built, so Kepil cannot tell they are recent enough.
scanner_signatures_undated-do = Tell your ICT administrator to load the official ClamAV signatures (freshclam or the agency's mirror) on this computer, or to lift max_signature_age_hours in Kepil's policy. Nothing was sent or saved.
scanner_signatures_old = The malware scanner's signatures are from { $date } ({ $age_hours } hours old); this computer's policy accepts at most { $max_hours } hours.
    .bare = The malware scanner's signatures are older than this computer's policy accepts.
scanner_signatures_old-do = Tell your ICT administrator that ClamAV's signature updates (freshclam) have stopped on this computer. Nothing was sent or saved.
infected_send = The malware scanner found { $signature } in "{ $name }". The send was stopped: nothing was uploaded to stay, and no link works.
    .bare = The malware scanner found malware in one of the files. The send was stopped: nothing was uploaded to stay, and no link works.
infected_send-do = Do not send or open this file. Report it to your agency's ICT Security Officer (MyGovUC guideline 3.2 A ii 7 and 3.2 A v 6), and have your computer checked.
infected_receive = The malware scanner found { $signature } in "{ $name }". Nothing was saved.
    .bare = The malware scanner found malware in this package. Nothing was saved.
infected_receive-do = { $sender_status ->
    [verified] Do not ask for it again. Report it to your agency's ICT Security Officer with: transfer { $transfer_id }, sent by { $sender } (verified by { $store }), detection { $signature }.
   *[unverified] Do not ask for it again. Report it to your agency's ICT Security Officer with: transfer { $transfer_id } from { $store }, sender unverified (the package says "{ $sender }"), detection { $signature }.
}
    .bare = Do not ask for it again. Report it to your agency's ICT Security Officer with the transfer's link.

## The links and passwords still to hand over (kept in the keyring until given)

handover_gone = The link and password of transfer { $transfer_id } are no longer kept on this computer.
    .bare = This transfer's link and password are no longer kept on this computer.
handover_gone-do = Kepil forgets them once you tick both as handed over, when the transfer is revoked or expires, or never kept them (no system keyring when it was sent). If a recipient has not got them, revoke the transfer and send it again.
handover_damaged = The stored link and password of transfer { $transfer_id } cannot be read.
    .bare = The stored link and password of this transfer cannot be read.
handover_damaged-do = Revoke the transfer and send it again.
handover_not_kept = Kepil keeps links and passwords to hand over in the system keyring only, and { $reason }.
    .bare = Kepil keeps links and passwords to hand over in the system keyring only, and it cannot be used.
handover_not_kept-do = Hand over every link and password before you close Kepil: they are kept until then only.
