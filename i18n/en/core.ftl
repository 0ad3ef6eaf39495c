## Kepil message catalogue, English: errors of kepil-core (policy, passwords, key
## derivation, links, packages). Key scheme (docs/architecture.md, "Messages"):
##   code = what happened;  code-do = what to do;  .bare = the wording when a param is missing;
##   code-app / code-do-app = the desktop app's wording where it differs (read only by the UI).
## Every { $param } must be one the error gives in Coded::params() (checked by
## src-tauri/tests/catalogue.rs). Never put a secret in a param.

-ict = your agency's ICT administrator
-nothing-saved = No file was saved.
-resend = ask the sender to send it again
-params-hint = These settings come from the Kepil store. Do not continue; report this to { -ict }.

unknown = Unexpected error (code: { $code }).
unknown-do = Try again; if it happens again, report this code to { -ict }.

cancelled = Cancelled.
cancelled-do = { $direction ->
    [receive] { -nothing-saved }
   *[send] {""}
}
    .bare = {""}

language_unknown = Language "{ $input }" is not supported.
    .bare = Language not supported.
language_unknown-do = Use "ms" (Bahasa Melayu) or "en" (English).

## Classification

classification_unknown = Classification "{ $input }" is not recognised.
    .bare = Unknown classification.
classification_unknown-do = Choose one of: TERBUKA (OPEN), TERHAD (RESTRICTED), SULIT (CONFIDENTIAL), RAHSIA (SECRET), RAHSIA BESAR (TOP SECRET).
classification_refused = { $classification } ({ $classification_en }) information cannot be sent through Kepil: sending and storing official secrets classified RAHSIA or RAHSIA BESAR is NOT ALLOWED (MyGovUC guideline 3.2 A ii 6 and 1.4.1 l iii).
    .bare = This classification cannot be sent through Kepil: sending and storing official secrets classified RAHSIA or RAHSIA BESAR is NOT ALLOWED (MyGovUC guideline 3.2 A ii 6 and 1.4.1 l iii).
classification_refused-do = Use a channel approved by your agency's Government Security Officer.

## Passwords (the messages never repeat the password)

password_empty = No password was entered.
password_empty-do = Please enter the password you received by SMS or phone call (16 letters and digits, for example ABCD-EFGH-JKMN-PQRS).
password_wrong_length = A Kepil password has { $expected } letters and digits (not counting dashes and spaces), but { $found } were entered.
    .bare = The password has the wrong length.
password_wrong_length-do = Check the password with the sender and make sure no character is missing or extra.
password_bad_character = Character { $position } ("{ $character }") is never used in Kepil passwords. Passwords contain only the digits 0–9 and the letters A–Z except I, L, O and U.
    .bare = The password contains a character Kepil passwords never use (they have only the digits 0–9 and the letters A–Z except I, L, O and U).
password_bad_character-do = Check that character again.
password_letter_u = Character { $position } is the letter U, which Kepil passwords never contain.
    .bare = The password has the letter U, which Kepil passwords never contain.
password_letter_u-do = It is probably a V: confirm with the sender before trying, because wrong attempts are limited.

## Key derivation (the settings come from the store's grant metadata)

kdf_unsupported_version = Key derivation version { $found } is not supported (supported: { $supported }).
    .bare = This link was made by a newer version of Kepil.
kdf_unsupported_version-do = Update your Kepil app; if this persists, report it to { -ict }.
kdf_memory_too_low = Argon2 settings are too weak: memory { $m_kib } KiB is below the minimum of { $min } KiB.
    .bare = The link's security settings are too weak, so Kepil refuses them.
kdf_memory_too_low-do = { -params-hint }
kdf_memory_too_high = Argon2 settings are too high: memory { $m_kib } KiB exceeds the limit of { $max } KiB.
    .bare = The link's security settings are above the safe bounds, so Kepil refuses them.
kdf_memory_too_high-do = { -params-hint }
kdf_time_too_low = Argon2 settings are too weak: { $t } passes is below the minimum of { $min }.
    .bare = The link's security settings are too weak, so Kepil refuses them.
kdf_time_too_low-do = { -params-hint }
kdf_time_too_high = Argon2 settings are too high: { $t } passes exceeds the limit of { $max }.
    .bare = The link's security settings are above the safe bounds, so Kepil refuses them.
kdf_time_too_high-do = { -params-hint }
kdf_parallelism_too_low = Argon2 settings are invalid: { $p } lanes is below the minimum of { $min }.
    .bare = The link's security settings are too weak, so Kepil refuses them.
kdf_parallelism_too_low-do = { -params-hint }
kdf_parallelism_too_high = Argon2 settings are too high: { $p } lanes exceeds the limit of { $max }.
    .bare = The link's security settings are above the safe bounds, so Kepil refuses them.
kdf_parallelism_too_high-do = { -params-hint }
kdf_bad_transfer_id = Invalid transfer id (length { $len }; must be 1 to { $max } bytes).
    .bare = The transfer id in the link is damaged.
kdf_bad_transfer_id-do = Try opening the link again; if this persists, report it to { -ict }.
kdf_failed = The key could not be derived ({ $reason }).
    .bare = The key could not be derived.
kdf_failed-do = This usually means the computer is short of memory: close other applications and try again.
kdf_identity_encoding = Internal error while building the decryption key.
kdf_identity_encoding-do = Try again; if this persists, report it to { -ict }.
auth_key_bad_encoding = The auth_key is not unpadded base64url.
auth_key_bad_encoding-do = Make sure the Kepil client in use is a compatible version.
auth_key_wrong_length = The auth_key must be { $expected } bytes, but { $found } bytes were received.
    .bare = The auth_key has the wrong length.
auth_key_wrong_length-do = Make sure the Kepil client in use is a compatible version.

## Links (the messages never repeat the secret after #)

link_not_found = No link found.
link_not_found-do = Copy the whole Kepil link from the email (it starts with https://) and paste it again.
link_not_kepil = This is not a Kepil link. Kepil links look like https://…/t/ID#SECRET.
link_not_kepil-do = Copy the right link from the email.
link_missing_secret = The part after # was removed from the link.
link_missing_secret-do = Copy the whole link from the email (including # and everything after it) and paste it again.
link_secret_length = The part after # in the link must be { $expected } characters, but { $found } were found.
    .bare = The part after # in the link is incomplete.
link_secret_length-do = The link may be cut short or run into other text: copy the whole link again.
link_secret_damaged = The part after # in the link is damaged.
link_secret_damaged-do = Copy the link straight from the original email without retyping it; if it still fails, { -resend }.
link_id_damaged = The id after /t/ in the link is damaged or cut short (it must be { $expected } characters).
    .bare = The id after /t/ in the link is damaged or cut short.
link_id_damaged-do = Copy the whole link from the email and paste it again.
link_insecure_http = The link to "{ $host }" uses unencrypted http://. Kepil only accepts https:// (except for a store on this computer).
    .bare = The link uses unencrypted http://. Kepil only accepts https:// (except for a store on this computer).
link_insecure_http-do = Do not open this link; tell the sender or your ICT administrator.
link_has_credentials = The link has a user name or password before the server address, a phishing trick.
link_has_credentials-do = Do not open this link; tell { -ict }.
link_bad_store_address = The store address in the link is not valid.
link_bad_store_address-do = Copy the whole link from the email again; if it still fails, { -resend }.
link_wrapper_unreadable = The link was rewritten by an email security gateway and could not be restored.
link_wrapper_unreadable-do = Ask the sender to send the link again, or copy it from the email's "original link" view.

## Building and encrypting a package

package_no_recipients = No recipient.
package_no_recipients-do = Add at least one recipient.
package_too_many_recipients = Too many recipients ({ $count }); one transfer allows at most { $max }.
    .bare = Too many recipients for one transfer.
package_too_many_recipients-do = Split the recipients over several transfers.
package_details_invalid = The transfer details are not valid ({ $reason }).
    .bare = The transfer details are not valid.
package_details_invalid-do = Check the expiry date and try again.
package_not_a_file = "{ $path }" is not a regular file (perhaps a folder).
    .bare = One of the items is not a regular file (perhaps a folder).
package_not_a_file-do = Select files only; compress a folder into a ZIP file first if needed.
package_file_unreadable = File "{ $path }" could not be read ({ $reason }).
    .bare = One of the files could not be read.
package_file_unreadable-do = Check that it exists and that you may read it, then try again.
package_file_changed = File "{ $path }" changed size while it was being encrypted ({ $expected } bytes expected, { $found } found).
    .bare = One of the files changed size while it was being encrypted.
package_file_changed-do = Wait until it has finished saving or copying, then send again.
package_manifest_too_large = { $direction ->
    [receive] The package's table of contents is too large ({ $len } bytes; limit { $max }) and was rejected.
   *[send] The file list, subject and message are too long ({ $len } bytes; limit { $max }).
}
    .bare = The file list, subject and message are too long.
package_manifest_too_large-do = { $direction ->
    [receive] Ask the sender to send it again with Kepil. { -nothing-saved }
   *[send] Shorten the message or send fewer files (put them in a ZIP).
}
package_too_many_files = { $direction ->
    [receive] The package lists { $count } files, more than Kepil opens in one package ({ $max }).
   *[send] { $count } files are more than one package may hold ({ $max }).
}
    .bare = There are more files than one package may hold.
package_too_many_files-do = { $direction ->
    [receive] Ask the sender to put the files in an archive (ZIP) and send it again. { -nothing-saved }
   *[send] Put the files in an archive (ZIP) and send that.
}
    .bare = Put the files in an archive (ZIP) and send that.
package_write_failed = The encrypted package could not be written ({ $reason }).
    .bare = The encrypted package could not be written.
package_write_failed-do = Check the disk space or the network connection and try again.
package_inspection_stopped = A check of the files' contents stopped this.
package_inspection_stopped-do = { $direction ->
    [receive] { -nothing-saved }
   *[send] Nothing was sent.
}
    .bare = Nothing was sent or saved.
package_internal_error = Internal error while encrypting ({ $detail }).
    .bare = Internal error while encrypting.
package_internal_error-do = Try again; if it happens again, report it to { -ict }.

## Opening a package (every failure: nothing is left in the destination folder)

package_not_age = This is not a Kepil package (not an age file).
package_not_age-do = Make sure you opened the right link or file. { -nothing-saved }
package_armored = This is an ASCII-armored age file ("-----BEGIN AGE ENCRYPTED FILE-----"); Kepil accepts binary age files only.
package_armored-do = Decrypt it with `age -d`, or ask the sender to send it through Kepil. { -nothing-saved }
package_header_corrupt = The package header is damaged or was altered.
package_header_corrupt-do = Download it again; if this happens again, { -resend }. { -nothing-saved }
package_version_unsupported = This package uses a newer format ({ $version }).
    .bare = This package uses a newer format.
package_version_unsupported-do = Update Kepil and try again. { -nothing-saved }
package_wrong_key = This package cannot be opened with this link and password. Each recipient has their own link and password.
package_wrong_key-do = Make sure both are yours and for this transfer. { -nothing-saved }
package_tampered = The package header failed authentication: it was altered after it was sent.
package_tampered-do = Do not use it; { -resend } and inform your ICT Security Officer. { -nothing-saved }
package_corrupt = The package contents failed authentication: they are damaged or were altered.
package_corrupt-do = Download it again; if this happens again, { -resend }. { -nothing-saved }
package_truncated = The package is incomplete (the download was cut short).
package_truncated-do = Download it again. { -nothing-saved }
package_not_kepil = This age file opens with your key but is not a Kepil package.
package_not_kepil-do = Open it with a plain age tool, or ask the sender to send it through Kepil. { -nothing-saved }
package_manifest_invalid = The package's table of contents is not valid ({ $reason }).
    .bare = The package's table of contents is not valid.
package_manifest_invalid-do = Ask the sender to send it again with a current version of Kepil. { -nothing-saved }
package_classification_refused = This transfer is marked { $classification } ({ $classification_en }). Kepil never opens RAHSIA or RAHSIA BESAR information: sending and storing it this way is NOT ALLOWED (MyGovUC guideline 1.4.1 l iii and 3.2 A ii 6).
    .bare = This transfer is marked RAHSIA or RAHSIA BESAR. Kepil never opens such information: sending and storing it this way is NOT ALLOWED (MyGovUC guideline 1.4.1 l iii and 3.2 A ii 6).
package_classification_refused-do = Report it now to your agency's ICT Security Officer as a security incident, with the sender, the date and the email that brought the link; do not forward the link or the password and do not ask for the files again through Kepil. { -nothing-saved }
package_manifest_mismatch = The package contents do not match its list of files.
package_manifest_mismatch-do = Ask the sender to send it again. { -nothing-saved }
package_file_hash_mismatch = The checksum of file "{ $name }" did not match: it is not the file that was sent.
    .bare = The checksum of one of the files did not match: it is not the file that was sent.
package_file_hash_mismatch-do = Ask the sender to send it again. { -nothing-saved }
package_trailing_data = There is extra data after the end of the package; it may have been altered.
package_trailing_data-do = Download it again or ask the sender to send it again. { -nothing-saved }
package_read_failed = The package could not be read ({ $reason }).
    .bare = The package could not be read.
package_read_failed-do = Check the connection or the file and try again. { -nothing-saved }
destination_not_writable = Folder "{ $path }" cannot be written to ({ $reason }).
    .bare = That folder cannot be written to.
destination_not_writable-do = Choose another folder where you can save files. { -nothing-saved }
disk_full = The disk is full while writing to "{ $path }".
    .bare = The disk is full.
disk_full-do = Free some space or choose another folder, then try again. { -nothing-saved }
file_write_failed = Could not write "{ $path }" ({ $reason }).
    .bare = The file could not be written.
file_write_failed-do = Check the destination folder and try again. { -nothing-saved }
