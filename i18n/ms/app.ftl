## Katalog mesej Kepil, Bahasa Melayu: aplikasi desktop. Kod aplikasi sendiri
## (kepil_app::error::APP_CODES dan ipc_error UI), kemudian ayat aplikasi bagi kod pustaka
## yang berbeza daripada terminal (kod-app / kod-do-app: Tetapan dan Sejarah, bukan arahan
## `kepil`). Hanya UI membaca kunci -app; skema kunci: lihat core.ftl.

## Kod aplikasi sendiri

ipc_error = Aplikasi tidak dapat melaksanakan arahan ({ $message }).
    .bare = Aplikasi tidak dapat melaksanakan arahan.
ipc_error-do = Mulakan semula Kepil; jika berulang, laporkan kepada pentadbir ICT.
setting_locked = Tetapan ini dikunci oleh dasar agensi anda.
setting_locked-do = Hubungi pentadbir ICT untuk mengubahnya.
token_empty = Token kosong.
token_empty-do = Tampal token yang diberikan oleh pentadbir ICT.
dialog_failed = Tetingkap pemilihan fail tidak dapat dibuka.
dialog_failed-do = Cuba lagi, atau seret dan lepaskan fail ke sini.
file_not_dropped = Item yang dilepaskan bukan fail biasa.
file_not_dropped-do = Seret fail, bukan folder.
unknown_file = Salah satu fail yang dipilih tiada lagi dalam senarai.
unknown_file-do = Buang fail itu dan pilih semula.
unknown_folder = Folder untuk menyimpan tidak dipilih melalui dialog folder tetingkap ini.
unknown_folder-do = Tekan Simpan sekali lagi dan pilih folder dalam dialog.
unknown_job = Maklumat penghantaran ini tiada lagi dalam aplikasi (mungkin Kepil telah dimulakan semula).
unknown_job-do = Semak Sejarah atau hantar semula.
no_password = Penerima ini tiada kata laluan (fail TERBUKA dihantar dengan pautan sahaja).
no_password-do = Hantar pautan sahaja.
qr_failed = Kod QR tidak dapat dijana.
qr_failed-do = Bacakan atau salin kata laluan.
clipboard_failed = Papan keratan tidak dapat digunakan.
clipboard_failed-do = Tunjukkan kata laluan dan bacakannya melalui telefon.
open_failed = Aplikasi lain tidak dapat dibuka untuk tindakan ini.
open_failed-do = Buka folder atau aplikasi e-mel secara manual.
sms_unavailable = SMS tidak tersedia (tiada gerbang SMS agensi).
sms_unavailable-do = Bacakan kata laluan melalui telefon.
sms_no_phone = Tiada nombor telefon untuk penerima ini.
sms_no_phone-do = Bacakan kata laluan melalui telefon.
sms_failed = SMS tidak dapat dihantar melalui gerbang agensi (HTTP { $status }).
    .bare = SMS tidak dapat dihantar melalui gerbang agensi.
sms_failed-do = Cuba lagi, atau bacakan kata laluan melalui telefon.
nothing_unlocked = Tiada pemindahan yang sedang dibuka.
nothing_unlocked-do = Buka pautan dan masukkan kata laluan semula.
local_store_failed = Stor tempatan tidak dapat dimulakan.
local_store_failed-do = Semak ruang cakera, atau tetapkan alamat stor agensi dalam Tetapan.
mail_unknown = "{ $input }" bukan sistem e-mel yang boleh digunakan oleh Kepil untuk menulis e-mel.
    .bare = Itu bukan sistem e-mel yang boleh digunakan oleh Kepil untuk menulis e-mel.
mail_unknown-do = Pilih Gmail, Outlook di pelayar web atau program e-mel komputer ini.

## Kod pustaka, mengikut ayat aplikasi

language_unknown-do-app = Pilih Bahasa Melayu atau English.
classification_unknown-do-app = Pilih TERBUKA, TERHAD atau SULIT.
classification_refused-do-app = Serahkan dokumen ini mengikut Arahan Keselamatan, contohnya secara tangan melalui kaedah yang diluluskan oleh Pegawai Keselamatan Jabatan anda.
unauthorized-do-app = { $role ->
    [owner] Status dan pembatalan hanya boleh dibuat dari komputer yang menghantar pemindahan itu.
   *[uploader] Masukkan token pemuat naik yang sah dalam Tetapan atau minta token baharu daripada pentadbir ICT.
}
    .bare = Masukkan token pemuat naik yang sah dalam Tetapan atau minta token baharu daripada pentadbir ICT.
http_error-do-app = Semak alamat stor dalam Tetapan atau cuba sebentar lagi.
protocol_error-do-app = Semak alamat stor dalam Tetapan; laporkan kepada pentadbir ICT jika berulang.
bad_url-do-app = Semak alamat stor dalam Tetapan.
no_home_directory-do-app = Hubungi pentadbir ICT.
bad_config_file-do-app = Hubungi pentadbir ICT untuk membetulkannya.
no_store-do-app = Masukkan alamat stor dalam Tetapan.
no_token-do-app = Masukkan token dalam Tetapan (dapatkan daripada pentadbir ICT).
no_files-do-app = Pilih sekurang-kurangnya satu fail.
no_recipients-do-app = Tambah sekurang-kurangnya seorang penerima.
duplicate_recipient-do-app = Senaraikan setiap penerima sekali sahaja.
expiry_too_long-app = Tempoh luput { $requested_secs } melebihi had ({ $limit_secs }) bagi klasifikasi ini.
    .bare = Tempoh luput melebihi had stor bagi klasifikasi ini.
expiry_too_long-do-app = Pilih tempoh yang lebih pendek; tiada apa-apa dimuat naik.
too_many_downloads-do-app = Pilih { $limit } atau kurang.
    .bare = Pilih nilai yang lebih kecil.
too_large-app = Pakej tersulit ({ $size }) melebihi had stor ({ $limit }).
    .bare = Fail terlalu besar untuk stor.
quota_exceeded-do-app = Batalkan pemindahan lama dalam Sejarah atau hubungi pentadbir ICT.
upload_complete-do-app = Semak Sejarah.
rate_limited-do-app = Tunggu { $retry_after_secs } dan cuba lagi.
    .bare = Tunggu seminit dan cuba lagi.
upload_interrupted-do-app = Semak rangkaian dan hantar semula.
resume_ambiguous-do-app = Hantar semula dari awal.
resume_impossible-do-app = Batalkannya dalam Sejarah dan hantar semula.
output_exists-do-app = Pilih folder lain.
unknown_transfer-do-app = Muat semula Sejarah.
unknown_recipient-do-app = Muat semula status.
recipient_needed-do-app = Pilih penerima dalam Sejarah.
token_not_allowed-do-app = Log masuk dengan akaun agensi anda (Tetapan).
provider_locked-do-app = Log masuk melalui { $provider }.
    .bare = Log masuk melalui penyedia yang dipilih oleh agensi anda.
sign_in_required-do-app = Log masuk dengan akaun agensi anda (Tetapan).
not_signed_in-do-app = Log masuk dengan akaun agensi anda (Tetapan).
sign_in_ended-do-app = Log masuk semula (Tetapan).
id_token_invalid-do-app = Log masuk semula; jika berulang, maklumkan pentadbir ICT anda.
id_token_expired-do-app = Log masuk semula.
sign_in_unavailable-do-app = Masukkan token yang diberikan oleh pentadbir ICT anda dalam Tetapan.
provider_choice-do-app = Pilih satu: { $known }.
    .bare = Pilih salah satu daripadanya.
sign_in_listener-do-app = Mulakan semula Kepil dan cuba lagi; jika berterusan, maklumkan pentadbir ICT anda.
sign_in_timeout-do-app = Tekan Log masuk semula dan selesaikan log masuk dalam pelayar.
sign_in_cancelled-do-app = Tiada apa-apa disimpan; log masuk semula apabila anda bersedia.
sign_in_denied-do-app = Tekan Log masuk semula dan benarkan Kepil mengakses akaun anda.
sign_in_state_mismatch-do-app = Tekan Log masuk semula dan gunakan hanya halaman log masuk yang terbaharu.
