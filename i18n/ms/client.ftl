## Katalog mesej Kepil, Bahasa Melayu: ralat kepil-client (jawapan stor, tetapan,
## penghantaran, penerimaan, status dan pembatalan). Skema kunci: lihat core.ftl.

-login = Jalankan `kepil login` dengan token pemuat naik yang sah, atau minta token baharu daripada pentadbir.

## Rangkaian dan kod ralat stor sendiri (ErrorCode kepil-protocol)

network = { $direction ->
    [receive] Muat turun terhenti ({ $reason }).
   *[other] Tidak dapat berhubung dengan stor Kepil ({ $reason }).
}
    .bare = Tidak dapat berhubung dengan stor Kepil.
network-do = { $direction ->
    [receive] Cuba lagi; pautan yang sama boleh digunakan jika masih ada baki muat turun.
   *[other] Semak sambungan rangkaian dan cuba lagi.
}
    .bare = Semak sambungan rangkaian dan cuba lagi.
http_error = Stor Kepil memberi jawapan HTTP { $status } yang tidak dijangka.
    .bare = Stor Kepil memberi jawapan yang tidak dijangka.
http_error-do = Semak alamat stor atau cuba sebentar lagi.
protocol_error = Jawapan stor tidak mengikut protokol Kepil ({ $reason }).
    .bare = Jawapan stor tidak mengikut protokol Kepil.
protocol_error-do = Semak alamat stor; laporkan kepada pentadbir jika berulang.
answer_too_large = Stor memberi jawapan yang lebih panjang daripada mana-mana jawapan Kepil (melebihi { $limit } bait); Kepil berhenti membacanya.
    .bare = Stor memberi jawapan yang lebih panjang daripada mana-mana jawapan Kepil; Kepil berhenti membacanya.
answer_too_large-do = Jangan teruskan dengan stor ini: pastikan pautan atau alamat itu ialah stor Kepil agensi anda, dan laporkan kepada pentadbir ICT anda.
bad_url = Alamat tidak sah: { $url }.
    .bare = Alamat tidak sah.
bad_url-do = Semak alamat stor.
bad_certificate = Sijil CA agensi tidak dapat dibaca ({ $reason }).
    .bare = Sijil CA agensi tidak dapat dibaca.
bad_certificate-do = Semak fail sijil yang diberi dengan --ca-certificate, KEPIL_CA_CERTIFICATE atau `ca_certificate` dalam config.toml; jika dasar sistem Kepil yang menamakannya, minta pentadbir ICT membetulkannya.
certificate_untrusted = Sijil { $host } tidak dapat disahkan ({ $reason }): sijil itu tidak dikeluarkan oleh pihak berkuasa yang dipercayai oleh komputer ini, telah tamat tempoh atau menamakan pelayan lain. Kepil tidak menyambung.
    .bare = Sijil pelayan tidak dapat disahkan: sijil itu tidak dikeluarkan oleh pihak berkuasa yang dipercayai oleh komputer ini, telah tamat tempoh atau menamakan pelayan lain. Kepil tidak menyambung.
certificate_untrusted-do = Jika ini stor agensi anda, minta pentadbir ICT memasang sijil CA agensi pada komputer ini (atau menamakannya dalam dasar Kepil). Jika tidak, jangan gunakan pautan ini dan laporkannya kepada Pegawai Keselamatan ICT (ICTSO) anda.
bad_request = Stor menolak permintaan yang tidak sempurna ({ $detail }).
    .bare = Stor menolak permintaan yang tidak sempurna.
bad_request-do = Kemas kini Kepil atau laporkan kepada pentadbir ICT anda.
unauthorized = { $role ->
    [owner] Stor menolak token pemilik pemindahan ini.
   *[uploader] Stor menolak token pemuat naik anda.
}
    .bare = Stor menolak token anda.
unauthorized-do = { $role ->
    [owner] Status dan pembatalan hanya boleh dibuat dari komputer yang menghantar pemindahan itu.
   *[uploader] { -login }
}
    .bare = { -login }
unavailable = { $role ->
    [owner] Pemindahan ini tiada lagi di stor (luput, dibatalkan atau dibuang).
   *[recipient] Pautan ini tidak wujud atau tidak lagi tersedia (luput, dibatalkan atau telah digunakan).
}
    .bare = Pautan ini tidak wujud atau tidak lagi tersedia (luput, dibatalkan atau telah digunakan).
unavailable-do = { $role ->
    [owner] Hantar fail semula jika penerima masih memerlukannya.
   *[recipient] Semak pautan, atau minta penghantar menghantar semula.
}
    .bare = Semak pautan, atau minta penghantar menghantar semula.
kdf_rejected = Stor menolak parameter kunci.
kdf_rejected-do = Kemas kini Kepil atau laporkan kepada pentadbir ICT anda.
offset_mismatch = Muat naik tidak lagi selari dengan stor.
offset_mismatch-do = Cuba hantar semula.
checksum_mismatch = Data rosak semasa muat naik (hasil tambah semak satu bahagian tidak sepadan).
checksum_mismatch-do = Semak rangkaian dan hantar semula.
blob_hash_mismatch = Pakej yang dimuat naik tidak lengkap atau rosak (hasil tambah semaknya tidak sepadan).
blob_hash_mismatch-do = Hantar semula.
upload_complete = Muat naik ini sudah selesai.
upload_complete-do = Lihat `kepil status`.
not_ready = Penghantar belum selesai memuat naik.
not_ready-do = Cuba lagi sebentar.
challenge_expired = Sesi pengesahan telah tamat.
challenge_expired-do = Cuba lagi.
wrong_password = Kata laluan salah. Tinggal { $tries_left } cubaan lagi sebelum pautan dikunci.
    .bare = Kata laluan salah.
wrong_password-do = Semak kata laluan dengan penghantar (melalui SMS atau telefon).
locked = Pautan ini dikunci selepas terlalu banyak kata laluan salah.
locked-do = Hubungi penghantar: setelah mereka tahu kata laluan salah itu anda yang cuba, mereka boleh membuka kuncinya, dan pautan serta kata laluan yang sama boleh digunakan semula.
expired = Pemindahan ini telah luput.
expired-do = Minta penghantar menghantar semula.
revoked = Penghantar telah membatalkan pautan ini.
revoked-do = Hubungi penghantar jika anda masih memerlukan fail.
used_up = Pautan ini telah digunakan sebanyak yang dibenarkan.
used_up-do = Minta penghantar menghantar semula jika perlu.
rate_limited = Terlalu banyak permintaan dari komputer ini.
rate_limited-do = Tunggu { $retry_after_secs } saat dan cuba lagi.
    .bare = Tunggu seminit dan cuba lagi.
conflict = Stor menolak ID pemindahan.
conflict-do = Cuba hantar semula.
unsupported = Stor tidak menyokong permintaan ini.
unsupported-do = Kemas kini Kepil atau hubungi pentadbir ICT anda.
payload_too_large = Permintaan terlalu besar untuk stor.
payload_too_large-do = Pendekkan mesej atau kurangkan bilangan penerima.
internal = Ralat dalaman pada stor.
internal-do = Cuba lagi kemudian; jika berterusan, hubungi pentadbir ICT anda.
id_token_invalid = Stor tidak menerima log masuk anda (jawapan penyedia identiti tidak sah untuk stor ini).
id_token_invalid-do = Log masuk semula dengan `kepil login`; jika berulang, maklumkan pentadbir ICT anda.
id_token_expired = Log masuk anda sudah terlalu lama untuk stor.
id_token_expired-do = Log masuk semula dengan `kepil login`.
email_unverified = Penyedia identiti anda tidak mengesahkan alamat e-mel anda.
email_unverified-do = Minta pentadbir ICT anda mengesahkan alamat pada akaun anda.
domain_not_allowed = Stor ini tidak menerima akaun daripada domain anda.
domain_not_allowed-do = Log masuk dengan akaun agensi anda, atau tanya pentadbir ICT anda stor yang patut digunakan.
group_required = Akaun anda tiada dalam kumpulan yang dibenarkan menghantar dengan Kepil.
group_required-do = Minta pentadbir ICT anda menambah anda ke kumpulan penghantar Kepil.
identity_disabled = Akaun anda telah dilumpuhkan pada stor ini.
identity_disabled-do = Hubungi pentadbir ICT anda.
token_expired = Token stor anda telah tamat tempoh.
token_expired-do = Log masuk semula, atau minta token baharu daripada pentadbir ICT anda.
forbidden = Hanya pentadbir stor boleh melakukan ini.
forbidden-do = Log masuk dengan akaun pentadbir, atau minta bantuan pentadbir.
provider_unavailable = Stor tidak dapat menghubungi penyedia identiti untuk menyemak log masuk anda.
provider_unavailable-do = Cuba lagi dalam beberapa minit; jika berterusan, hubungi pentadbir ICT anda.
sign_in_required = Stor ini hanya menerima fail daripada pegawai yang log masuk, bukan daripada token.
sign_in_required-do = Log masuk dengan `kepil login`.

## Tetapan dan kelayakan

no_home_directory = Tiada direktori rumah untuk menyimpan tetapan.
no_home_directory-do = Tetapkan KEPIL_CONFIG_DIR.
bad_config_file = Fail tetapan { $path } rosak ({ $reason }).
    .bare = Fail tetapan Kepil rosak.
bad_config_file-do = Betulkan atau padamkannya.
config_io = Tidak dapat membaca atau menulis { $path } ({ $reason }).
    .bare = Tidak dapat membaca atau menulis tetapan Kepil.
config_io-do = Semak ruang cakera dan kebenaran folder.
bad_store_url = Alamat stor tidak sah: { $url }.
    .bare = Alamat stor tidak sah.
bad_store_url-do = Gunakan https://… (http hanya untuk 127.0.0.1/localhost).
no_store = Tiada stor Kepil ditetapkan.
no_store-do = Gunakan --store URL, KEPIL_STORE atau `store` dalam config.toml.
no_token = Tiada token pemuat naik untuk { $store }.
    .bare = Tiada token pemuat naik.
no_token-do = Jalankan `kepil login` atau tetapkan KEPIL_TOKEN.
policy_invalid = Fail dasar sistem { $path } rosak.
    .bare = Fail dasar sistem rosak.
policy_invalid-do = Hubungi pentadbir ICT untuk membetulkannya.
policy_unprotected = Fail dasar sistem { $path } boleh diubah oleh orang selain pentadbir, jadi Kepil tidak mempercayainya dan tidak menghantar apa-apa.
    .bare = Fail dasar sistem boleh diubah oleh orang selain pentadbir.
policy_unprotected-do = Minta pentadbir ICT menjadikan fail itu dan foldernya milik root dan hanya boleh ditulis oleh root (chown root:root, chmod 644 untuk fail dan 755 untuk folder).
store_locked = Dasar sistem komputer ini hanya membenarkan penghantaran ke { $store }, bukan ke { $wanted }.
    .bare = Dasar sistem komputer ini mengunci stor.
store_locked-do = Jangan gunakan --store atau KEPIL_STORE; Kepil menggunakan stor agensi anda. Hubungi pentadbir ICT jika anda memerlukan stor lain.
token_not_allowed = Dasar sistem komputer ini mewajibkan log masuk dengan akaun agensi anda: token mesin tidak diterima di sini.
token_not_allowed-do = Log masuk dengan `kepil login`; KEPIL_TOKEN dalam persekitaran juga tidak digunakan di sini.
credentials_unavailable = Storan kelayakan tidak dapat digunakan ({ $reason }).
    .bare = Storan kelayakan sistem tidak dapat digunakan.
credentials_unavailable-do = Log keluar dan masuk semula, atau hubungi pentadbir ICT anda.

## Penghantaran

no_files = Tiada fail untuk dihantar.
no_files-do = Namakan sekurang-kurangnya satu fail.
no_recipients = Tiada penerima.
no_recipients-do = Gunakan --to sekurang-kurangnya sekali.
duplicate_recipient = Penerima { $recipient } dinamakan dua kali.
    .bare = Penerima yang sama disenaraikan dua kali.
duplicate_recipient-do = Namakan setiap penerima sekali sahaja.
recipient_invalid = Alamat e-mel penerima { $recipient } tidak sah.
    .bare = Alamat e-mel penerima tidak sah.
recipient_invalid-do = Betulkan alamat itu dan hantar semula.
phone_invalid = Nombor telefon { $phone } tidak sah.
    .bare = Nombor telefon tidak sah.
phone_invalid-do = Gunakan bentuk 012-345 6789 atau +60123456789.
classification_not_accepted = Stor ini tidak menerima fail { $classification }.
    .bare = Stor ini tidak menerima klasifikasi ini.
classification_not_accepted-do = Hubungi pentadbir stor.
expiry_too_long = Tempoh luput { $requested } melebihi had stor ({ $limit }) bagi klasifikasi ini.
    .bare = Tempoh luput melebihi had stor bagi klasifikasi ini.
expiry_too_long-do = Pilih --expires { $limit } atau kurang; tiada apa-apa dimuat naik.
    .bare = Pilih tempoh yang lebih pendek; tiada apa-apa dimuat naik.
too_many_downloads = { $requested } muat turun melebihi had stor ({ $limit }) bagi setiap penerima.
    .bare = Had muat turun melebihi had stor.
too_many_downloads-do = Pilih --max-downloads { $limit } atau kurang; tiada apa-apa dimuat naik.
    .bare = Pilih bilangan yang lebih kecil; tiada apa-apa dimuat naik.
too_large = Pakej tersulit ({ $size } bait) melebihi had stor ({ $limit } bait).
    .bare = Fail terlalu besar untuk stor.
too_large-do = Hantar fail yang lebih kecil atau bahagikannya kepada beberapa penghantaran.
quota_exceeded = Kuota muat naik anda di stor telah penuh.
quota_exceeded-do = Batalkan pemindahan lama dengan `kepil revoke` atau hubungi pentadbir.
spool_io = Tidak dapat menggunakan fail spool { $path } ({ $reason }).
    .bare = Tidak dapat menulis fail sementara.
spool_io-do = Semak ruang cakera dan cuba lagi.
upload_interrupted = Muat naik terhenti ({ $cause }).
    .bare = Muat naik terhenti.
upload_interrupted-do = Sambung semula dengan `kepil send --resume { $transfer_id }`.
    .bare = Semak rangkaian dan hantar semula.
nothing_to_resume = Tiada muat naik tergendala untuk disambung.
nothing_to_resume-do = Hantar semula dari awal.
resume_ambiguous = Beberapa muat naik tergendala: { $ids }.
    .bare = Terdapat beberapa muat naik tergendala.
resume_ambiguous-do = Namakan satu: `kepil send --resume ID`.
resume_impossible = Muat naik { $transfer_id } tidak dapat disambung ({ $reason }).
    .bare = Muat naik tidak dapat disambung.
resume_impossible-do = Batalkannya dengan `kepil revoke { $transfer_id }` dan hantar semula.
    .bare = Batalkannya dan hantar semula.
files_changed = Fail { $path } berubah selepas muat naik { $transfer_id } bermula, jadi muat naik itu tidak dapat disiapkan.
    .bare = Satu fail berubah semasa dihantar, jadi muat naik tidak dapat disiapkan.
files_changed-do = Pemindahan itu telah dibatalkan: hantar fail semula.
sender_mismatch = Anda log masuk sebagai { $signed_in }, jadi pengirim tidak boleh { $given }.
    .bare = Pengirim mesti alamat yang anda gunakan untuk log masuk.
sender_mismatch-do = Tinggalkan --from, atau berikan nama paparan sahaja, contohnya --from "Nama Anda".

## Penerimaan

password_required = Pemindahan ini memerlukan kata laluan.
password_required-do = Masukkan kata laluan yang dihantar kepada anda melalui saluran lain (SMS atau telefon), atau hubungi penghantar.
output_io = Tidak dapat menulis { $path } ({ $reason }).
    .bare = Tidak dapat menulis fail ke folder itu.
output_io-do = Pilih folder lain atau semak ruang cakera.
output_exists = { $path } sudah wujud.
    .bare = Fail dengan nama yang sama sudah wujud dalam folder itu.
output_exists-do = Pilih nama atau folder lain.
declined = Tidak disimpan.

## Sebelum menyimpan: perkara yang perlu diketahui penerima (amaran, bukan ralat)

sender_differs = Stor { $store } mengesahkan bahawa { $verified } yang memuat naik pakej ini, tetapi pakej itu menamakan { $sealed } sebagai penghantarnya.
    .bare = Stor mengesahkan pemuat naik yang berbeza daripada penghantar yang dinamakan dalam pakej.
sender_differs-do = Jangan percaya nama dalam pakej: sebelum membuka fail, sahkan dengan { $verified } melalui telefon atau saluran lain yang anda sedia kenali bahawa mereka yang menghantarnya (Garis Panduan MyGovUC 3.2 A iii 1 dan 3).
    .bare = Jangan percaya nama dalam pakej: sebelum membuka fail, sahkan dengan pemuat naik yang dinamakan oleh stor, melalui telefon atau saluran lain yang anda sedia kenali, bahawa mereka yang menghantarnya (Garis Panduan MyGovUC 3.2 A iii 1 dan 3).
store_unconfirmed = { $idn ->
    [yes] Pautan ini menuju ke stor { $host }, yang tidak dikenali oleh komputer ini. Namanya menggunakan huruf bukan Latin (dipaparkan di sini sebagai "xn--…"), seperti nama tiruan yang menyerupai nama sebenar. Kepil belum menghubunginya.
   *[no] Pautan ini menuju ke stor { $host }, yang tidak dikenali oleh komputer ini. Kepil belum menghubunginya.
}
    .bare = Pautan ini menuju ke stor yang tidak dikenali oleh komputer ini. Kepil belum menghubunginya.
store_unconfirmed-do = Hubungi stor itu hanya jika penghantar memberitahu anda, melalui saluran yang sudah anda kenali, bahawa stor agensinya ialah { $host } (Garis Panduan MyGovUC 3.2 A iii 1 dan 3); jika tidak, laporkan e-mel itu kepada Pegawai Keselamatan ICT (ICTSO) anda.
    .bare = Hubungi stor itu hanya jika penghantar memberitahu anda, melalui saluran yang sudah anda kenali, stor yang digunakan agensinya; jika tidak, laporkan e-mel itu kepada Pegawai Keselamatan ICT (ICTSO) anda.
store_refused = Pautan ini menuju ke stor { $host }, yang tidak dipercayai oleh polisi komputer ini. Kepil tidak menghubunginya.
    .bare = Pautan ini menuju ke stor yang tidak dipercayai oleh polisi komputer ini. Kepil tidak menghubunginya.
store_refused-do = Jika agensi penghantar benar-benar menggunakan stor ini, minta pentadbir ICT anda menambahnya ke dalam polisi Kepil ([trust] stores); jika tidak, laporkan e-mel itu kepada Pegawai Keselamatan ICT (ICTSO) anda.
sender_unverified = Stor { $store } tidak menyatakan siapa yang memuat naik pakej ini; "{ $sealed }" hanyalah apa yang dinyatakan oleh pakej itu sendiri.
    .bare = Stor tidak menyatakan siapa yang memuat naik pakej ini; penghantarnya hanyalah apa yang dinyatakan oleh pakej itu sendiri.
sender_unverified-do = Sebelum membuka fail, sahkan dengan penghantar melalui telefon atau saluran lain yang anda sedia kenali bahawa mereka yang menghantarnya (Garis Panduan MyGovUC 3.2 A iii 1 dan 3).
classification_differs = Pakej ini bertanda { $sealed } di dalamnya, tetapi stor menyenaraikannya sebagai { $declared }; Kepil menganggapnya { $shown }.
    .bare = Klasifikasi dalam pakej berbeza daripada yang disenaraikan oleh stor; Kepil menganggapnya yang lebih tinggi antara kedua-duanya.
classification_differs-do = { $unprotected ->
    [yes] Kendalikan fail-fail ini sebagai { $shown }. Ia sampai kepada anda tanpa kata laluan, sedangkan maklumat { $sealed } tidak boleh dibuka begitu: laporkan kepada Pegawai Keselamatan ICT agensi anda (Garis Panduan MyGovUC 3.2 A iii 2).
   *[no] Kendalikan fail-fail ini sebagai { $shown } dan maklumkan penghantar bahawa kedua-dua tanda itu berbeza.
}
    .bare = Kendalikan fail-fail ini pada klasifikasi yang lebih tinggi dan maklumkan penghantar bahawa kedua-dua tanda itu berbeza.
dangerous_file = { $name } ialah { $kind ->
    [macro] dokumen yang boleh membawa makro
    [disk_image] imej cakera
   *[program] program, skrip atau pintasan
}: membukanya boleh menjalankan kod pada komputer anda.
    .bare = Satu fail dalam pakej ini boleh menjalankan kod pada komputer anda apabila dibuka.
dangerous_file-do = Buka hanya jika anda memang menjangka fail ini daripada penghantar ini, dan imbas dahulu dengan pengimbas perisian hasad agensi anda.

## Status dan pembatalan

unknown_transfer = Tiada pemindahan { $id } dalam sejarah penghantaran komputer ini.
    .bare = Pemindahan ini tiada dalam sejarah penghantaran komputer ini.
unknown_transfer-do = Gunakan ID pemindahan atau pautan yang anda hantar dari komputer ini.
no_owner_token = Token pemilik bagi { $transfer_id } tiada dalam storan kelayakan.
    .bare = Token pemilik pemindahan ini tiada pada komputer ini.
no_owner_token-do = Status dan pembatalan hanya boleh dibuat dari komputer yang menghantarnya.
unknown_recipient = Tiada penerima { $recipient } dalam pemindahan { $transfer_id }.
    .bare = Penerima itu tiada dalam pemindahan ini.
unknown_recipient-do = Semak `kepil status { $transfer_id }`.
    .bare = Semak status pemindahan.
recipient_needed = Pemindahan { $transfer_id } mempunyai beberapa penerima.
    .bare = Pemindahan ini mempunyai beberapa penerima.
recipient_needed-do = Namakan penerima yang hendak dibuka kuncinya dengan `--recipient` (lihat `kepil status { $transfer_id }`).
    .bare = Namakan penerima yang hendak dibuka kuncinya.
transfer_id_invalid = { $id } bukan ID pemindahan.
    .bare = Itu bukan ID pemindahan.
transfer_id_invalid-do = Salin ID daripada `kepil transfers` atau daripada paparan `kepil send`.

## Log masuk dengan penyedia identiti agensi

sign_in_unavailable = Stor { $store } tidak menawarkan log masuk melalui penyedia identiti.
    .bare = Stor ini tidak menawarkan log masuk melalui penyedia identiti.
sign_in_unavailable-do = Simpan token yang diberikan oleh pentadbir ICT anda dengan `kepil login --token`.
provider_unknown = Stor tiada penyedia identiti bernama { $provider }.
    .bare = Stor tiada penyedia identiti dengan nama itu.
provider_unknown-do = Pilih salah satu: { $known }.
    .bare = Pilih salah satu penyedia identiti stor.
provider_choice = Stor menawarkan beberapa penyedia identiti.
provider_choice-do = Pilih satu dengan --provider: { $known }.
    .bare = Pilih salah satu daripadanya.
provider_locked = Dasar sistem komputer ini log masuk melalui { $provider }, bukan { $wanted }.
    .bare = Dasar sistem komputer ini menetapkan penyedia identiti untuk log masuk.
provider_locked-do = Jalankan `kepil login` tanpa --provider.
provider_insecure = Alamat penyedia identiti { $issuer } tidak dilindungi https.
    .bare = Alamat penyedia identiti tidak dilindungi https.
provider_insecure-do = Tiada apa-apa dihantar. Maklumkan pentadbir ICT anda; Kepil hanya log masuk melalui https.
provider_discovery = Tetapan penyedia identiti di { $issuer } tidak dapat dibaca ({ $reason }).
    .bare = Tetapan penyedia identiti tidak dapat dibaca.
provider_discovery-do = Semak sambungan rangkaian dan cuba lagi; jika berterusan, maklumkan pentadbir ICT anda.
provider_unreachable = Tidak dapat berhubung dengan penyedia identiti { $provider } ({ $reason }).
    .bare = Tidak dapat berhubung dengan penyedia identiti.
provider_unreachable-do = Semak sambungan rangkaian dan cuba lagi.
sign_in_listener = Tidak dapat menunggu pelayar pada komputer ini ({ $reason }).
    .bare = Tidak dapat menunggu pelayar pada komputer ini.
sign_in_listener-do = Log masuk tanpa pelayar di sini: `kepil login --no-browser`.
sign_in_timeout = Log masuk tidak diselesaikan dalam tempoh { $waited }.
    .bare = Log masuk tidak diselesaikan dalam masa.
sign_in_timeout-do = Jalankan `kepil login` semula dan selesaikan log masuk dalam pelayar.
sign_in_cancelled = Log masuk dibatalkan.
sign_in_cancelled-do = Tiada apa-apa disimpan; jalankan `kepil login` semula apabila anda bersedia.
sign_in_denied = Log masuk ditolak atau dibatalkan di penyedia identiti.
sign_in_denied-do = Jalankan `kepil login` semula dan benarkan Kepil mengakses akaun anda.
sign_in_refused = Penyedia identiti menolak log masuk ({ $error }: { $description }).
    .bare = Penyedia identiti menolak log masuk.
sign_in_refused-do = Cuba lagi; jika berterusan, maklumkan pentadbir ICT anda.
sign_in_state_mismatch = Jawapan daripada pelayar bukan milik log masuk ini, jadi ia ditolak.
sign_in_state_mismatch-do = Jalankan `kepil login` semula dan gunakan hanya halaman log masuk yang terbaharu.
sign_in_bad_redirect = Itu bukan alamat tempat log masuk berakhir ({ $reason }).
    .bare = Itu bukan alamat tempat log masuk berakhir.
sign_in_bad_redirect-do = Selepas log masuk, salin seluruh alamat daripada bar alamat pelayar (bermula dengan http://127.0.0.1) dan tampal semula.
id_token_missing = Penyedia identiti menjawab tanpa token ID.
id_token_missing-do = Maklumkan pentadbir ICT anda: klien Kepil di sana mesti dibenarkan skop openid.
id_token_rejected = Jawapan penyedia identiti gagal semakan Kepil ({ $reason }).
    .bare = Jawapan penyedia identiti gagal semakan Kepil.
id_token_rejected-do = Cuba lagi; jika berterusan, maklumkan pentadbir ICT anda.
id_token_no_email = Penyedia identiti tidak memberikan alamat e-mel anda.
id_token_no_email-do = Maklumkan pentadbir ICT anda: klien Kepil di sana memerlukan skop email.
device_flow_unsupported = Penyedia identiti tidak menawarkan log masuk dengan kod pada peranti lain.
device_flow_unsupported-do = Log masuk dengan menampal alamat: `kepil login --no-browser`.
device_code_expired = Kod tidak dimasukkan dalam masa.
device_code_expired-do = Jalankan `kepil login --no-browser` semula dan masukkan kod baharu dengan lebih cepat.
not_signed_in = Anda belum log masuk ke { $store }.
    .bare = Anda belum log masuk.
not_signed_in-do = Log masuk dengan `kepil login`.
sign_in_ended = Log masuk anda di { $provider } telah tamat (anda log keluar di sana, tempohnya tamat, atau akaun dilumpuhkan).
    .bare = Log masuk anda di penyedia identiti telah tamat.
sign_in_ended-do = Log masuk semula dengan `kepil login`.

## Imbasan perisian hasad

scanner_address_invalid = "{ $address }" bukan alamat pengimbas.
    .bare = Alamat pengimbas perisian hasad tidak sah.
scanner_address_invalid-do = Maklumkan pentadbir ICT anda: pengimbas dinamakan sebagai unix:/laluan/ke/clamd.sock atau tcp://hos:port dalam polisi Kepil.
scanner_unreachable = Pengimbas perisian hasad di { $address } tidak dapat dihubungi ({ $reason }).
    .bare = Pengimbas perisian hasad tidak dapat dihubungi.
scanner_unreachable-do = Maklumkan pentadbir ICT anda bahawa perkhidmatan ClamAV (clamd) pada komputer ini tidak berjalan atau tidak dapat dihubungi; tiada apa-apa dihantar atau disimpan.
scanner_failed = Imbasan perisian hasad di { $address } terputus ({ $reason }).
    .bare = Imbasan perisian hasad terputus.
scanner_failed-do = Cuba lagi; jika berulang, maklumkan pentadbir ICT anda bahawa perkhidmatan ClamAV (clamd) pada komputer ini berhenti semasa imbasan. Tiada apa-apa dihantar atau disimpan.
scan_too_large = { $name } lebih besar daripada had yang ditetapkan untuk pengimbas perisian hasad.
    .bare = Satu fail lebih besar daripada had yang ditetapkan untuk pengimbas perisian hasad.
scan_too_large-do = Minta pentadbir ICT anda menaikkan StreamMaxLength dalam clamd.conf (paling banyak 4 GB), atau hantar fail yang lebih kecil. Tiada apa-apa dihantar atau disimpan.
scanner_error = Pengimbas perisian hasad melaporkan ralat ({ $reason }).
    .bare = Pengimbas perisian hasad melaporkan ralat.
scanner_error-do = Maklumkan pentadbir ICT anda bersama mesej ini; tiada apa-apa dihantar atau disimpan.
scanner_protocol = Jawapan pengimbas perisian hasad tidak difahami ({ $answer }).
    .bare = Jawapan pengimbas perisian hasad tidak difahami.
scanner_protocol-do = Maklumkan pentadbir ICT anda bahawa alamat pengimbas dalam polisi Kepil mungkin bukan perkhidmatan ClamAV.
scanner_not_configured = Polisi Kepil komputer ini mewajibkan imbasan perisian hasad, tetapi tiada pengimbas dinamakan.
scanner_not_configured-do = Maklumkan pentadbir ICT anda: tetapkan scan.scanner dalam polisi Kepil kepada perkhidmatan ClamAV (clamd) komputer ini. Tiada apa-apa dihantar atau disimpan.
scanner_signatures_undated = Tandatangan pengimbas perisian hasad ({ $engine }) tidak menyatakan bila ia dibina; polisi komputer ini hanya menerima tandatangan berusia paling lama { $max_hours } jam.
    .bare = Tandatangan pengimbas perisian hasad tidak menyatakan bila ia dibina, jadi Kepil tidak dapat memastikan ia cukup baharu.
scanner_signatures_undated-do = Minta pentadbir ICT anda memuatkan tandatangan rasmi ClamAV (freshclam atau cermin agensi) pada komputer ini, atau melonggarkan max_signature_age_hours dalam polisi Kepil. Tiada apa-apa dihantar atau disimpan.
scanner_signatures_old = Tandatangan pengimbas perisian hasad bertarikh { $date } (berusia { $age_hours } jam); polisi komputer ini hanya menerima paling lama { $max_hours } jam.
    .bare = Tandatangan pengimbas perisian hasad lebih lama daripada yang diterima oleh polisi komputer ini.
scanner_signatures_old-do = Maklumkan pentadbir ICT anda bahawa kemas kini tandatangan ClamAV (freshclam) telah berhenti pada komputer ini. Tiada apa-apa dihantar atau disimpan.
infected_send = Pengimbas perisian hasad menemui { $signature } dalam "{ $name }". Penghantaran dihentikan: tiada apa-apa yang dimuat naik kekal, dan tiada pautan berfungsi.
    .bare = Pengimbas perisian hasad menemui perisian hasad dalam salah satu fail. Penghantaran dihentikan: tiada apa-apa yang dimuat naik kekal, dan tiada pautan berfungsi.
infected_send-do = Jangan hantar atau buka fail ini. Laporkan kepada Pegawai Keselamatan ICT (ICTSO) agensi anda (Garis Panduan MyGovUC 3.2 A ii 7 dan 3.2 A v 6), dan minta komputer anda diperiksa.
infected_receive = Pengimbas perisian hasad menemui { $signature } dalam "{ $name }". Tiada fail disimpan.
    .bare = Pengimbas perisian hasad menemui perisian hasad dalam pakej ini. Tiada fail disimpan.
infected_receive-do = { $sender_status ->
    [verified] Jangan minta fail ini semula. Laporkan kepada Pegawai Keselamatan ICT (ICTSO) agensi anda dengan: pemindahan { $transfer_id }, dihantar oleh { $sender } (disahkan oleh { $store }), pengesanan { $signature }.
   *[unverified] Jangan minta fail ini semula. Laporkan kepada Pegawai Keselamatan ICT (ICTSO) agensi anda dengan: pemindahan { $transfer_id } dari { $store }, penghantar tidak disahkan (pakej menyatakan "{ $sender }"), pengesanan { $signature }.
}
    .bare = Jangan minta fail ini semula. Laporkan kepada Pegawai Keselamatan ICT (ICTSO) agensi anda bersama pautan pemindahan itu.
