## Katalog mesej Kepil, Bahasa Melayu: aplikasi desktop. Kod aplikasi sendiri
## (kepil_app::error::APP_CODES dan ipc_error UI), kemudian ayat aplikasi bagi kod pustaka
## yang berbeza daripada terminal (kod-app / kod-do-app: Tetapan dan Sejarah, bukan arahan
## `kepil`). Hanya UI membaca kunci -app; skema kunci: lihat core.ftl.

## Kod aplikasi sendiri

ipc_error = Aplikasi tidak dapat melaksanakan arahan ({ $message }).
    .bare = Aplikasi tidak dapat melaksanakan arahan.
ipc_error-do = Sila mulakan semula Kepil; jika berulang, laporkan kepada pentadbir ICT anda.
setting_locked = Tetapan ini dikunci oleh dasar agensi anda.
setting_locked-do = Sila hubungi pentadbir ICT anda untuk mengubahnya.
token_empty = Token kosong.
token_empty-do = Sila tampal token yang diberikan oleh pentadbir ICT anda.
dialog_failed = Tetingkap pemilihan fail tidak dapat dibuka.
dialog_failed-do = Sila cuba lagi, atau seret dan lepaskan fail ke sini.
file_not_dropped = Item yang dilepaskan bukan fail biasa.
file_not_dropped-do = Sila seret fail, bukan folder.
unknown_file = Salah satu fail yang dipilih tiada lagi dalam senarai.
unknown_file-do = Sila buang fail itu dan pilih semula.
unknown_folder = Folder simpanan tidak dipilih melalui dialog folder dalam tetingkap ini.
unknown_folder-do = Sila tekan Simpan sekali lagi dan pilih folder dalam dialog.
unknown_job = Maklumat penghantaran ini tiada lagi dalam aplikasi (mungkin Kepil telah dimulakan semula).
unknown_job-do = Sila semak Sejarah atau hantar semula.
no_password = Tiada kata laluan bagi penerima ini (fail TERBUKA dihantar dengan pautan sahaja).
no_password-do = Sila hantar pautan sahaja.
qr_failed = Kod QR tidak dapat dijana.
qr_failed-do = Sila bacakan atau salin kata laluan.
clipboard_failed = Papan keratan tidak dapat digunakan.
clipboard_failed-do = Sila tunjukkan kata laluan dan bacakannya melalui telefon.
open_failed = Aplikasi lain tidak dapat dibuka untuk tindakan ini.
open_failed-do = Sila buka folder atau aplikasi e-mel anda secara manual.
sms_unavailable = SMS tidak tersedia (tiada gerbang SMS agensi).
sms_unavailable-do = Sila bacakan kata laluan melalui telefon.
sms_no_phone = Tiada nombor telefon untuk penerima ini.
sms_no_phone-do = Sila bacakan kata laluan melalui telefon.
sms_failed = SMS tidak dapat dihantar melalui gerbang agensi (HTTP { $status }).
    .bare = SMS tidak dapat dihantar melalui gerbang agensi.
sms_failed-do = Sila cuba lagi, atau bacakan kata laluan melalui telefon.
nothing_unlocked = Tiada pemindahan yang sedang dibuka.
nothing_unlocked-do = Sila buka pautan dan masukkan kata laluan semula.
local_store_failed = Stor tempatan tidak dapat dimulakan.
local_store_failed-do = Sila semak ruang cakera, atau tetapkan alamat stor agensi anda dalam Tetapan.
mail_unknown = "{ $input }" bukan sistem e-mel yang boleh digunakan oleh Kepil untuk mengarang e-mel.
    .bare = Itu bukan sistem e-mel yang boleh digunakan oleh Kepil untuk mengarang e-mel.
mail_unknown-do = Sila pilih Gmail, Outlook di pelayar web atau program e-mel komputer ini.

## Kod pustaka, mengikut ayat aplikasi

language_unknown-do-app = Sila pilih Bahasa Melayu atau English.
classification_unknown-do-app = Sila pilih TERBUKA, TERHAD atau SULIT.
classification_refused-do-app = Sila serahkan dokumen ini mengikut Arahan Keselamatan, contohnya secara serahan tangan melalui kaedah yang diluluskan oleh Pegawai Keselamatan Jabatan anda.
unauthorized-do-app = { $role ->
    [owner] Semakan status dan penarikan balik hanya boleh dibuat dari komputer yang menghantar pemindahan itu.
   *[uploader] Sila masukkan token pemuat naik yang sah dalam Tetapan atau minta token baharu daripada pentadbir ICT anda.
}
    .bare = Sila masukkan token pemuat naik yang sah dalam Tetapan atau minta token baharu daripada pentadbir ICT anda.
http_error-do-app = Sila semak alamat stor dalam Tetapan atau cuba sebentar lagi.
protocol_error-do-app = Sila semak alamat stor dalam Tetapan; laporkan kepada pentadbir ICT anda jika masalah berulang.
bad_url-do-app = Sila semak alamat stor dalam Tetapan.
no_home_directory-do-app = Sila hubungi pentadbir ICT anda.
bad_config_file-do-app = Sila hubungi pentadbir ICT anda untuk membetulkannya.
no_store-do-app = Sila masukkan alamat stor dalam Tetapan.
no_token-do-app = Sila masukkan token dalam Tetapan (dapatkan token daripada pentadbir ICT anda).
no_files-do-app = Sila pilih sekurang-kurangnya satu fail.
no_recipients-do-app = Sila tambah sekurang-kurangnya seorang penerima.
duplicate_recipient-do-app = Sila senaraikan setiap penerima sekali sahaja.
expiry_too_long-app = Tempoh sah laku { $requested_secs } melebihi had maksimum ({ $limit_secs }) bagi klasifikasi ini.
    .bare = Tempoh sah laku melebihi had maksimum stor bagi klasifikasi ini.
expiry_too_long-do-app = Sila pilih tempoh sah laku yang lebih pendek; tiada apa-apa dimuat naik.
too_many_downloads-do-app = Sila pilih { $limit } atau kurang.
    .bare = Sila pilih bilangan yang lebih kecil.
too_large-app = Pakej yang disulitkan ({ $size }) melebihi had maksimum stor ({ $limit }).
    .bare = Fail terlalu besar untuk stor.
quota_exceeded-do-app = Sila tarik balik pemindahan lama dalam Sejarah atau hubungi pentadbir ICT anda.
upload_complete-do-app = Sila semak Sejarah.
rate_limited-do-app = Sila tunggu { $retry_after_secs } dan cuba lagi.
    .bare = Sila tunggu seminit dan cuba lagi.
upload_interrupted-do-app = Sila semak sambungan rangkaian dan hantar semula.
resume_ambiguous-do-app = Sila hantar semula dari awal.
resume_impossible-do-app = Sila tarik balik pemindahan itu dalam Sejarah dan hantar semula.
output_exists-do-app = Sila pilih folder lain.
unknown_transfer-do-app = Sila muat semula Sejarah.
unknown_recipient-do-app = Sila muat semula status.
recipient_needed-do-app = Sila pilih penerima dalam Sejarah.
token_not_allowed-do-app = Sila log masuk dengan akaun agensi anda (Tetapan).
provider_locked-do-app = Sila log masuk melalui { $provider }.
    .bare = Sila log masuk melalui penyedia identiti yang dipilih oleh agensi anda.
sign_in_required-do-app = Sila log masuk dengan akaun agensi anda (Tetapan).
not_signed_in-do-app = Sila log masuk dengan akaun agensi anda (Tetapan).
sign_in_ended-do-app = Sila log masuk semula (Tetapan).
id_token_invalid-do-app = Sila log masuk semula; jika berulang, maklumkan kepada pentadbir ICT anda.
id_token_expired-do-app = Sila log masuk semula.
sign_in_unavailable-do-app = Sila masukkan token yang diberikan oleh pentadbir ICT anda dalam Tetapan.
provider_choice-do-app = Sila pilih satu: { $known }.
    .bare = Sila pilih salah satu daripadanya.
sign_in_listener-do-app = Sila mulakan semula Kepil dan cuba lagi; jika masalah berterusan, maklumkan kepada pentadbir ICT anda.
sign_in_timeout-do-app = Sila tekan Log masuk sekali lagi dan selesaikan log masuk dalam pelayar.
sign_in_cancelled-do-app = Tiada apa-apa disimpan; sila log masuk semula apabila anda bersedia.
sign_in_denied-do-app = Sila tekan Log masuk sekali lagi dan benarkan Kepil mengakses akaun anda.
sign_in_state_mismatch-do-app = Sila tekan Log masuk sekali lagi dan gunakan halaman log masuk yang terbaharu sahaja.
