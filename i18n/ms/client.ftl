## Katalog mesej Kepil, Bahasa Melayu: ralat kepil-client (jawapan stor, tetapan,
## penghantaran, penerimaan, status dan penarikan balik). Skema kunci: lihat core.ftl.

-login = Sila jalankan `kepil login` dengan token pemuat naik yang sah, atau minta token baharu daripada pentadbir.

## Rangkaian dan kod ralat stor sendiri (ErrorCode kepil-protocol)

network = { $direction ->
    [receive] Muat turun terhenti ({ $reason }).
   *[other] Tidak dapat berhubung dengan stor Kepil ({ $reason }).
}
    .bare = Tidak dapat berhubung dengan stor Kepil.
network-do = { $direction ->
    [receive] Sila cuba lagi; pautan yang sama masih boleh digunakan selagi ada baki muat turun.
   *[other] Sila semak sambungan rangkaian dan cuba lagi.
}
    .bare = Sila semak sambungan rangkaian dan cuba lagi.
http_error = Stor Kepil memberi jawapan HTTP { $status } yang tidak dijangka.
    .bare = Stor Kepil memberi jawapan yang tidak dijangka.
http_error-do = Sila semak alamat stor atau cuba sebentar lagi.
protocol_error = Jawapan stor tidak mengikut protokol Kepil ({ $reason }).
    .bare = Jawapan stor tidak mengikut protokol Kepil.
protocol_error-do = Sila semak alamat stor; laporkan kepada pentadbir jika masalah berulang.
answer_too_large = Stor memberi jawapan yang lebih panjang daripada mana-mana jawapan Kepil (melebihi { $limit } bait); Kepil berhenti membacanya.
    .bare = Stor memberi jawapan yang lebih panjang daripada mana-mana jawapan Kepil; Kepil berhenti membacanya.
answer_too_large-do = Jangan teruskan dengan stor ini: sila pastikan pautan atau alamat itu ialah stor Kepil agensi anda, dan laporkan kepada pentadbir ICT anda.
bad_url = Alamat tidak sah: { $url }.
    .bare = Alamat tidak sah.
bad_url-do = Sila semak alamat stor.
bad_certificate = Sijil CA agensi tidak dapat dibaca ({ $reason }).
    .bare = Sijil CA agensi tidak dapat dibaca.
bad_certificate-do = Sila semak fail sijil yang ditetapkan melalui --ca-certificate, KEPIL_CA_CERTIFICATE atau `ca_certificate` dalam config.toml; jika sijil itu dinamakan dalam dasar sistem Kepil, minta pentadbir ICT anda membetulkannya.
certificate_untrusted = Sijil { $host } tidak dapat disahkan ({ $reason }): sijil itu tidak dikeluarkan oleh pihak berkuasa yang dipercayai oleh komputer ini, telah tamat tempoh atau menamakan pelayan lain. Kepil tidak membuat sambungan.
    .bare = Sijil pelayan tidak dapat disahkan: sijil itu tidak dikeluarkan oleh pihak berkuasa yang dipercayai oleh komputer ini, telah tamat tempoh atau menamakan pelayan lain. Kepil tidak membuat sambungan.
certificate_untrusted-do = Jika ini stor agensi anda, sila minta pentadbir ICT anda memasang sijil CA agensi pada komputer ini (atau menamakannya dalam dasar Kepil). Jika tidak, jangan gunakan pautan ini dan laporkan perkara ini kepada Pegawai Keselamatan ICT (ICTSO) anda.
bad_request = Stor menolak permintaan yang formatnya tidak betul ({ $detail }).
    .bare = Stor menolak permintaan yang formatnya tidak betul.
bad_request-do = Sila kemas kini Kepil atau laporkan kepada pentadbir ICT anda.
unauthorized = { $role ->
    [owner] Stor menolak token pemilik pemindahan ini.
   *[uploader] Stor menolak token pemuat naik anda.
}
    .bare = Stor menolak token anda.
unauthorized-do = { $role ->
    [owner] Semakan status dan penarikan balik hanya boleh dibuat dari komputer yang menghantar pemindahan itu.
   *[uploader] { -login }
}
    .bare = { -login }
unavailable = { $role ->
    [owner] Pemindahan ini tiada lagi di stor (telah tamat tempoh, ditarik balik atau dihapuskan).
   *[recipient] Pautan ini tidak wujud atau tidak lagi tersedia (telah tamat tempoh, ditarik balik atau telah habis digunakan).
}
    .bare = Pautan ini tidak wujud atau tidak lagi tersedia (telah tamat tempoh, ditarik balik atau telah habis digunakan).
unavailable-do = { $role ->
    [owner] Sila hantar fail semula jika penerima masih memerlukannya.
   *[recipient] Sila semak pautan, atau minta penghantar menghantarnya semula.
}
    .bare = Sila semak pautan, atau minta penghantar menghantarnya semula.
kdf_rejected = Stor menolak parameter kunci.
kdf_rejected-do = Sila kemas kini Kepil atau laporkan kepada pentadbir ICT anda.
offset_mismatch = Muat naik tidak lagi selari dengan stor.
offset_mismatch-do = Sila cuba hantar semula.
checksum_mismatch = Data rosak semasa muat naik (hasil tambah semak satu bahagian tidak sepadan).
checksum_mismatch-do = Sila semak sambungan rangkaian dan hantar semula.
blob_hash_mismatch = Pakej yang dimuat naik tidak lengkap atau rosak (hasil tambah semaknya tidak sepadan).
blob_hash_mismatch-do = Sila hantar semula.
upload_complete = Muat naik ini sudah selesai.
upload_complete-do = Sila semak `kepil status`.
not_ready = Penghantar belum selesai memuat naik.
not_ready-do = Sila cuba sebentar lagi.
challenge_expired = Sesi pengesahan telah tamat tempoh.
challenge_expired-do = Sila cuba lagi.
wrong_password = Kata laluan salah. Tinggal { $tries_left } cubaan lagi sebelum pautan dikunci.
    .bare = Kata laluan salah.
wrong_password-do = Sila semak kata laluan dengan penghantar (melalui SMS atau telefon).
locked = Pautan ini dikunci selepas terlalu banyak cubaan kata laluan yang salah.
locked-do = Sila hubungi penghantar: setelah penghantar mengetahui bahawa cubaan kata laluan yang salah itu dibuat oleh anda, penghantar boleh membuka kunci pautan itu, dan pautan serta kata laluan yang sama boleh digunakan semula.
expired = Pemindahan ini telah tamat tempoh.
expired-do = Sila minta penghantar menghantarnya semula.
revoked = Penghantar telah menarik balik pautan ini.
revoked-do = Sila hubungi penghantar jika anda masih memerlukan fail tersebut.
used_up = Pautan ini telah digunakan sebanyak yang dibenarkan.
used_up-do = Sila minta penghantar menghantarnya semula jika perlu.
rate_limited = Terlalu banyak permintaan dari komputer ini.
rate_limited-do = Sila tunggu { $retry_after_secs } saat dan cuba lagi.
    .bare = Sila tunggu seminit dan cuba lagi.
conflict = Stor menolak ID pemindahan.
conflict-do = Sila cuba hantar semula.
unsupported = Stor tidak menyokong permintaan ini.
unsupported-do = Sila kemas kini Kepil atau hubungi pentadbir ICT anda.
payload_too_large = Permintaan terlalu besar untuk stor.
payload_too_large-do = Sila pendekkan mesej atau kurangkan bilangan penerima.
internal = Ralat dalaman pada stor.
internal-do = Sila cuba lagi kemudian; jika masalah berterusan, hubungi pentadbir ICT anda.
id_token_invalid = Stor tidak menerima log masuk anda (jawapan penyedia identiti tidak sah untuk stor ini).
id_token_invalid-do = Sila log masuk semula dengan `kepil login`; jika berulang, maklumkan kepada pentadbir ICT anda.
id_token_expired = Log masuk anda sudah terlalu lama dan tidak lagi diterima oleh stor.
id_token_expired-do = Sila log masuk semula dengan `kepil login`.
email_unverified = Penyedia identiti anda tidak mengesahkan alamat e-mel anda.
email_unverified-do = Sila minta pentadbir ICT anda mengesahkan alamat e-mel pada akaun anda.
domain_not_allowed = Stor ini tidak menerima akaun daripada domain anda.
domain_not_allowed-do = Sila log masuk dengan akaun agensi anda, atau tanya pentadbir ICT anda stor yang sepatutnya digunakan.
group_required = Akaun anda tiada dalam kumpulan yang dibenarkan menghantar melalui Kepil.
group_required-do = Sila minta pentadbir ICT anda menambah anda ke dalam kumpulan penghantar Kepil.
identity_disabled = Akaun anda telah dilumpuhkan pada stor ini.
identity_disabled-do = Sila hubungi pentadbir ICT anda.
token_expired = Token stor anda telah tamat tempoh.
token_expired-do = Sila log masuk semula, atau minta token baharu daripada pentadbir ICT anda.
forbidden = Hanya pentadbir stor dibenarkan melakukan tindakan ini.
forbidden-do = Sila log masuk dengan akaun pentadbir, atau minta bantuan pentadbir.
provider_unavailable = Stor tidak dapat menghubungi penyedia identiti untuk menyemak log masuk anda.
provider_unavailable-do = Sila cuba lagi dalam beberapa minit; jika masalah berterusan, hubungi pentadbir ICT anda.
sign_in_required = Stor ini hanya menerima fail daripada pegawai yang telah log masuk, bukan daripada token.
sign_in_required-do = Sila log masuk dengan `kepil login`.

## Tetapan dan kelayakan

no_home_directory = Tiada direktori utama pengguna (home directory) untuk menyimpan tetapan.
no_home_directory-do = Sila tetapkan KEPIL_CONFIG_DIR.
bad_config_file = Fail tetapan { $path } rosak ({ $reason }).
    .bare = Fail tetapan Kepil rosak.
bad_config_file-do = Sila betulkan atau padamkan fail itu.
config_io = Tidak dapat membaca atau menulis { $path } ({ $reason }).
    .bare = Tidak dapat membaca atau menulis tetapan Kepil.
config_io-do = Sila semak ruang cakera dan kebenaran akses folder.
bad_store_url = Alamat stor tidak sah: { $url }.
    .bare = Alamat stor tidak sah.
bad_store_url-do = Sila gunakan https://… (http hanya untuk 127.0.0.1/localhost).
no_store = Tiada stor Kepil ditetapkan.
no_store-do = Sila gunakan --store URL, KEPIL_STORE atau `store` dalam config.toml.
no_token = Tiada token pemuat naik untuk { $store }.
    .bare = Tiada token pemuat naik.
no_token-do = Sila jalankan `kepil login` atau tetapkan KEPIL_TOKEN.
policy_invalid = Fail dasar sistem { $path } rosak.
    .bare = Fail dasar sistem rosak.
policy_invalid-do = Sila hubungi pentadbir ICT anda untuk membetulkannya.
policy_unprotected = Fail dasar sistem { $path } boleh diubah oleh orang selain pentadbir; oleh itu Kepil tidak mempercayainya dan tidak menghantar apa-apa.
    .bare = Fail dasar sistem boleh diubah oleh orang selain pentadbir.
policy_unprotected-do = Sila minta pentadbir ICT anda menjadikan fail itu dan foldernya milik root dan hanya boleh ditulis oleh root (chown root:root, chmod 644 untuk fail dan 755 untuk folder).
store_locked = Dasar sistem komputer ini hanya membenarkan penghantaran ke { $store }, bukan ke { $wanted }.
    .bare = Dasar sistem komputer ini mengunci stor.
store_locked-do = Jangan gunakan --store atau KEPIL_STORE; Kepil menggunakan stor agensi anda. Sila hubungi pentadbir ICT anda jika anda memerlukan stor lain.
token_not_allowed = Dasar sistem komputer ini mewajibkan log masuk dengan akaun agensi anda: token mesin tidak diterima di sini.
token_not_allowed-do = Sila log masuk dengan `kepil login`; KEPIL_TOKEN dalam persekitaran juga tidak digunakan di sini.
credentials_unavailable = Storan kelayakan sistem tidak dapat digunakan ({ $reason }).
    .bare = Storan kelayakan sistem tidak dapat digunakan.
credentials_unavailable-do = Sila log keluar dan log masuk semula, atau hubungi pentadbir ICT anda.

## Penghantaran

no_files = Tiada fail untuk dihantar.
no_files-do = Sila namakan sekurang-kurangnya satu fail.
no_recipients = Tiada penerima.
no_recipients-do = Sila gunakan --to sekurang-kurangnya sekali.
duplicate_recipient = Penerima { $recipient } dinamakan dua kali.
    .bare = Penerima yang sama disenaraikan dua kali.
duplicate_recipient-do = Sila namakan setiap penerima sekali sahaja.
recipient_invalid = Alamat e-mel penerima { $recipient } tidak sah.
    .bare = Alamat e-mel penerima tidak sah.
recipient_invalid-do = Sila betulkan alamat itu dan hantar semula.
phone_invalid = Nombor telefon { $phone } tidak sah.
    .bare = Nombor telefon tidak sah.
phone_invalid-do = Sila gunakan format 012-345 6789 atau +60123456789.
classification_not_accepted = Stor ini tidak menerima fail { $classification }.
    .bare = Stor ini tidak menerima klasifikasi ini.
classification_not_accepted-do = Sila hubungi pentadbir stor.
expiry_too_long = Tempoh sah laku { $requested } melebihi had maksimum stor ({ $limit }) bagi klasifikasi ini.
    .bare = Tempoh sah laku melebihi had maksimum stor bagi klasifikasi ini.
expiry_too_long-do = Sila pilih --expires { $limit } atau kurang; tiada apa-apa dimuat naik.
    .bare = Sila pilih tempoh sah laku yang lebih pendek; tiada apa-apa dimuat naik.
too_many_downloads = { $requested } muat turun melebihi had maksimum stor ({ $limit }) bagi setiap penerima.
    .bare = Had muat turun melebihi had maksimum stor.
too_many_downloads-do = Sila pilih --max-downloads { $limit } atau kurang; tiada apa-apa dimuat naik.
    .bare = Sila pilih bilangan yang lebih kecil; tiada apa-apa dimuat naik.
too_large = Pakej yang disulitkan ({ $size } bait) melebihi had maksimum stor ({ $limit } bait).
    .bare = Fail terlalu besar untuk stor.
too_large-do = Sila hantar fail yang lebih kecil atau bahagikannya kepada beberapa penghantaran.
quota_exceeded = Kuota muat naik anda di stor telah penuh.
quota_exceeded-do = Sila tarik balik pemindahan lama dengan `kepil revoke` atau hubungi pentadbir.
spool_io = Tidak dapat menggunakan fail sementara (spool) { $path } ({ $reason }).
    .bare = Tidak dapat menulis fail sementara.
spool_io-do = Sila semak ruang cakera dan cuba lagi.
upload_interrupted = Muat naik terhenti ({ $cause }).
    .bare = Muat naik terhenti.
upload_interrupted-do = Sila sambung semula dengan `kepil send --resume { $transfer_id }`.
    .bare = Sila semak sambungan rangkaian dan hantar semula.
nothing_to_resume = Tiada muat naik tergendala untuk disambung.
nothing_to_resume-do = Sila hantar semula dari awal.
resume_ambiguous = Beberapa muat naik tergendala: { $ids }.
    .bare = Terdapat beberapa muat naik tergendala.
resume_ambiguous-do = Sila namakan satu: `kepil send --resume ID`.
resume_impossible = Muat naik { $transfer_id } tidak dapat disambung ({ $reason }).
    .bare = Muat naik tidak dapat disambung.
resume_impossible-do = Sila tarik balik pemindahan itu dengan `kepil revoke { $transfer_id }` dan hantar semula.
    .bare = Sila tarik balik pemindahan itu dan hantar semula.
files_changed = Fail { $path } berubah selepas muat naik { $transfer_id } bermula; oleh itu muat naik tersebut tidak dapat diselesaikan.
    .bare = Satu fail berubah semasa dihantar; oleh itu muat naik tidak dapat diselesaikan.
files_changed-do = Pemindahan itu telah dibatalkan: sila hantar fail semula.
sender_mismatch = Anda log masuk sebagai { $signed_in }; oleh itu penghantar tidak boleh dinyatakan sebagai { $given }.
    .bare = Alamat penghantar mesti sama dengan alamat yang anda gunakan untuk log masuk.
sender_mismatch-do = Sila gugurkan --from, atau berikan nama paparan sahaja, contohnya --from "Nama Anda".

## Penerimaan

password_required = Pemindahan ini memerlukan kata laluan.
password_required-do = Sila masukkan kata laluan yang dihantar kepada anda melalui medium berasingan (SMS atau telefon), atau hubungi penghantar.
output_io = Tidak dapat menulis { $path } ({ $reason }).
    .bare = Tidak dapat menulis fail ke folder itu.
output_io-do = Sila pilih folder lain atau semak ruang cakera.
output_exists = { $path } sudah wujud.
    .bare = Fail dengan nama yang sama sudah wujud dalam folder itu.
output_exists-do = Sila pilih nama atau folder lain.
declined = Tidak disimpan.

## Sebelum menyimpan: perkara yang perlu diketahui penerima (amaran, bukan ralat)

sender_differs = Stor { $store } mengesahkan bahawa { $verified } yang memuat naik pakej ini, tetapi pakej itu menamakan { $sealed } sebagai penghantarnya.
    .bare = Stor mengesahkan pemuat naik yang berbeza daripada penghantar yang dinamakan dalam pakej.
sender_differs-do = Jangan percayai nama dalam pakej: sebelum membuka fail, sila sahkan dengan { $verified } melalui telefon atau saluran lain yang sudah anda kenali bahawa mereka yang menghantarnya (Garis Panduan MyGovUC 3.2 A iii 1 dan 3).
    .bare = Jangan percayai nama dalam pakej: sebelum membuka fail, sila sahkan dengan pemuat naik yang dinamakan oleh stor, melalui telefon atau saluran lain yang sudah anda kenali, bahawa mereka yang menghantarnya (Garis Panduan MyGovUC 3.2 A iii 1 dan 3).
store_unconfirmed = { $idn ->
    [yes] Pautan ini menuju ke stor { $host }, yang tidak dikenali oleh komputer ini. Namanya menggunakan huruf bukan Latin (dipaparkan di sini sebagai "xn--…"), seperti nama tiruan yang menyerupai nama sebenar. Kepil belum menghubunginya.
   *[no] Pautan ini menuju ke stor { $host }, yang tidak dikenali oleh komputer ini. Kepil belum menghubunginya.
}
    .bare = Pautan ini menuju ke stor yang tidak dikenali oleh komputer ini. Kepil belum menghubunginya.
store_unconfirmed-do = Hubungi stor itu hanya jika penghantar memberitahu anda, melalui saluran yang sudah anda kenali, bahawa stor agensinya ialah { $host } (Garis Panduan MyGovUC 3.2 A iii 1 dan 3); jika tidak, sila laporkan e-mel itu kepada Pegawai Keselamatan ICT (ICTSO) anda.
    .bare = Hubungi stor itu hanya jika penghantar memberitahu anda, melalui saluran yang sudah anda kenali, stor yang digunakan oleh agensinya; jika tidak, sila laporkan e-mel itu kepada Pegawai Keselamatan ICT (ICTSO) anda.
store_refused = Pautan ini menuju ke stor { $host }, yang tidak dipercayai oleh dasar komputer ini. Kepil tidak menghubunginya.
    .bare = Pautan ini menuju ke stor yang tidak dipercayai oleh dasar komputer ini. Kepil tidak menghubunginya.
store_refused-do = Jika agensi penghantar benar-benar menggunakan stor ini, sila minta pentadbir ICT anda menambahnya ke dalam dasar Kepil ([trust] stores); jika tidak, laporkan e-mel itu kepada Pegawai Keselamatan ICT (ICTSO) anda.
sender_unverified = Stor { $store } tidak menyatakan siapa yang memuat naik pakej ini; "{ $sealed }" hanyalah apa yang dinyatakan oleh pakej itu sendiri.
    .bare = Stor tidak menyatakan siapa yang memuat naik pakej ini; penghantarnya hanyalah apa yang dinyatakan oleh pakej itu sendiri.
sender_unverified-do = Sebelum membuka fail, sila sahkan dengan penghantar melalui telefon atau saluran lain yang sudah anda kenali bahawa mereka yang menghantarnya (Garis Panduan MyGovUC 3.2 A iii 1 dan 3).
classification_differs = Pakej ini bertanda { $sealed } di dalamnya, tetapi stor menyenaraikannya sebagai { $declared }; Kepil mengendalikannya sebagai { $shown }.
    .bare = Klasifikasi dalam pakej berbeza daripada klasifikasi yang disenaraikan oleh stor; Kepil mengendalikannya mengikut klasifikasi yang lebih tinggi antara kedua-duanya.
classification_differs-do = { $unprotected ->
    [yes] Sila kendalikan fail-fail ini sebagai { $shown }. Fail ini sampai kepada anda tanpa kata laluan, sedangkan maklumat { $sealed } hanya boleh dibuka setelah mendapat pautan dan kata laluan daripada medium berasingan: laporkan perkara ini kepada Pegawai Keselamatan ICT (ICTSO) agensi anda (Garis Panduan MyGovUC 3.2 A iii 2).
   *[no] Sila kendalikan fail-fail ini sebagai { $shown } dan maklumkan kepada penghantar bahawa kedua-dua tanda klasifikasi itu berbeza.
}
    .bare = Sila kendalikan fail-fail ini mengikut klasifikasi yang lebih tinggi dan maklumkan kepada penghantar bahawa kedua-dua tanda klasifikasi itu berbeza.
dangerous_file = { $name } ialah { $kind ->
    [macro] dokumen yang boleh mengandungi makro
    [disk_image] imej cakera
   *[program] program, skrip atau pintasan
}: membukanya boleh menjalankan kod pada komputer anda.
    .bare = Satu fail dalam pakej ini boleh menjalankan kod pada komputer anda apabila dibuka.
dangerous_file-do = Buka fail ini hanya jika anda memang menjangkakan fail ini daripada penghantar tersebut, dan pastikan fail ini diimbas terlebih dahulu dengan pengimbas perisian hasad agensi anda.

## Status dan penarikan balik

unknown_transfer = Tiada pemindahan { $id } dalam sejarah penghantaran komputer ini.
    .bare = Pemindahan ini tiada dalam sejarah penghantaran komputer ini.
unknown_transfer-do = Sila gunakan ID pemindahan atau pautan yang anda hantar dari komputer ini.
no_owner_token = Token pemilik bagi { $transfer_id } tiada dalam storan kelayakan sistem.
    .bare = Token pemilik pemindahan ini tiada pada komputer ini.
no_owner_token-do = Semakan status dan penarikan balik hanya boleh dibuat dari komputer yang menghantar pemindahan itu.
unknown_recipient = Tiada penerima { $recipient } dalam pemindahan { $transfer_id }.
    .bare = Penerima itu tiada dalam pemindahan ini.
unknown_recipient-do = Sila semak `kepil status { $transfer_id }`.
    .bare = Sila semak status pemindahan.
recipient_needed = Pemindahan { $transfer_id } mempunyai beberapa penerima.
    .bare = Pemindahan ini mempunyai beberapa penerima.
recipient_needed-do = Sila namakan penerima yang hendak dibuka kunci pautannya dengan `--recipient` (lihat `kepil status { $transfer_id }`).
    .bare = Sila namakan penerima yang hendak dibuka kunci pautannya.
transfer_id_invalid = { $id } bukan ID pemindahan.
    .bare = Itu bukan ID pemindahan.
transfer_id_invalid-do = Sila salin ID daripada `kepil transfers` atau daripada paparan `kepil send`.

## Log masuk dengan penyedia identiti agensi

sign_in_unavailable = Stor { $store } tidak menawarkan log masuk melalui penyedia identiti.
    .bare = Stor ini tidak menawarkan log masuk melalui penyedia identiti.
sign_in_unavailable-do = Sila simpan token yang diberikan oleh pentadbir ICT anda dengan `kepil login --token`.
provider_unknown = Tiada penyedia identiti bernama { $provider } pada stor ini.
    .bare = Tiada penyedia identiti dengan nama itu pada stor ini.
provider_unknown-do = Sila pilih salah satu: { $known }.
    .bare = Sila pilih salah satu penyedia identiti stor ini.
provider_choice = Stor menawarkan beberapa penyedia identiti.
provider_choice-do = Sila pilih satu dengan --provider: { $known }.
    .bare = Pilih salah satu daripadanya.
provider_locked = Dasar sistem komputer ini menetapkan log masuk melalui { $provider }, bukan { $wanted }.
    .bare = Dasar sistem komputer ini menetapkan penyedia identiti untuk log masuk.
provider_locked-do = Sila jalankan `kepil login` tanpa --provider.
provider_insecure = Alamat penyedia identiti { $issuer } tidak dilindungi oleh https.
    .bare = Alamat penyedia identiti tidak dilindungi oleh https.
provider_insecure-do = Tiada apa-apa dihantar. Sila maklumkan kepada pentadbir ICT anda; Kepil hanya membuat log masuk melalui https.
provider_discovery = Tetapan penyedia identiti di { $issuer } tidak dapat dibaca ({ $reason }).
    .bare = Tetapan penyedia identiti tidak dapat dibaca.
provider_discovery-do = Sila semak sambungan rangkaian dan cuba lagi; jika masalah berterusan, maklumkan kepada pentadbir ICT anda.
provider_unreachable = Tidak dapat berhubung dengan penyedia identiti { $provider } ({ $reason }).
    .bare = Tidak dapat berhubung dengan penyedia identiti.
provider_unreachable-do = Sila semak sambungan rangkaian dan cuba lagi.
sign_in_listener = Tidak dapat menunggu pelayar pada komputer ini ({ $reason }).
    .bare = Tidak dapat menunggu pelayar pada komputer ini.
sign_in_listener-do = Sila log masuk tanpa pelayar di sini: `kepil login --no-browser`.
sign_in_timeout = Log masuk tidak diselesaikan dalam tempoh { $waited }.
    .bare = Log masuk tidak diselesaikan dalam masa yang ditetapkan.
sign_in_timeout-do = Sila jalankan `kepil login` semula dan selesaikan log masuk dalam pelayar.
sign_in_cancelled = Log masuk dibatalkan.
sign_in_cancelled-do = Tiada apa-apa disimpan; sila jalankan `kepil login` semula apabila anda bersedia.
sign_in_denied = Log masuk ditolak atau dibatalkan di penyedia identiti.
sign_in_denied-do = Sila jalankan `kepil login` semula dan benarkan Kepil mengakses akaun anda.
sign_in_refused = Penyedia identiti menolak log masuk ({ $error }: { $description }).
    .bare = Penyedia identiti menolak log masuk.
sign_in_refused-do = Sila cuba lagi; jika masalah berterusan, maklumkan kepada pentadbir ICT anda.
sign_in_state_mismatch = Jawapan daripada pelayar bukan bagi log masuk ini; oleh itu jawapan tersebut ditolak.
sign_in_state_mismatch-do = Sila jalankan `kepil login` semula dan gunakan halaman log masuk yang terbaharu sahaja.
sign_in_bad_redirect = Itu bukan alamat tempat log masuk berakhir ({ $reason }).
    .bare = Itu bukan alamat tempat log masuk berakhir.
sign_in_bad_redirect-do = Selepas log masuk, sila salin keseluruhan alamat daripada bar alamat pelayar (bermula dengan http://127.0.0.1) dan tampal semula.
id_token_missing = Penyedia identiti menjawab tanpa token ID.
id_token_missing-do = Sila maklumkan kepada pentadbir ICT anda: klien Kepil pada penyedia identiti itu mesti dibenarkan menggunakan skop openid.
id_token_rejected = Jawapan penyedia identiti gagal semakan Kepil ({ $reason }).
    .bare = Jawapan penyedia identiti gagal semakan Kepil.
id_token_rejected-do = Sila cuba lagi; jika masalah berterusan, maklumkan kepada pentadbir ICT anda.
id_token_no_email = Penyedia identiti tidak memberikan alamat e-mel anda.
id_token_no_email-do = Sila maklumkan kepada pentadbir ICT anda: klien Kepil pada penyedia identiti itu memerlukan skop email.
device_flow_unsupported = Penyedia identiti tidak menawarkan log masuk dengan kod pada peranti lain.
device_flow_unsupported-do = Sila log masuk dengan menampal alamat: `kepil login --no-browser`.
device_code_expired = Kod tidak dimasukkan dalam masa yang ditetapkan.
device_code_expired-do = Sila jalankan `kepil login --no-browser` semula dan masukkan kod baharu dengan lebih cepat.
not_signed_in = Anda belum log masuk ke { $store }.
    .bare = Anda belum log masuk.
not_signed_in-do = Sila log masuk dengan `kepil login`.
sign_in_ended = Log masuk anda di { $provider } telah tamat (anda telah log keluar di sana, log masuk telah tamat tempoh, atau akaun telah dilumpuhkan).
    .bare = Log masuk anda di penyedia identiti telah tamat.
sign_in_ended-do = Sila log masuk semula dengan `kepil login`.

## Imbasan perisian hasad

scanner_address_invalid = "{ $address }" bukan alamat pengimbas.
    .bare = Alamat pengimbas perisian hasad tidak sah.
scanner_address_invalid-do = Sila maklumkan kepada pentadbir ICT anda: pengimbas dinamakan sebagai unix:/laluan/ke/clamd.sock atau tcp://hos:port dalam dasar Kepil.
scanner_unreachable = Pengimbas perisian hasad di { $address } tidak dapat dihubungi ({ $reason }).
    .bare = Pengimbas perisian hasad tidak dapat dihubungi.
scanner_unreachable-do = Sila maklumkan kepada pentadbir ICT anda bahawa perkhidmatan ClamAV (clamd) pada komputer ini tidak berjalan atau tidak dapat dihubungi; tiada apa-apa dihantar atau disimpan.
scanner_failed = Imbasan perisian hasad di { $address } terputus ({ $reason }).
    .bare = Imbasan perisian hasad terputus.
scanner_failed-do = Sila cuba lagi; jika berulang, maklumkan kepada pentadbir ICT anda bahawa perkhidmatan ClamAV (clamd) pada komputer ini berhenti semasa imbasan. Tiada apa-apa dihantar atau disimpan.
scan_too_large = { $name } lebih besar daripada had yang ditetapkan untuk pengimbas perisian hasad.
    .bare = Satu fail lebih besar daripada had yang ditetapkan untuk pengimbas perisian hasad.
scan_too_large-do = Sila minta pentadbir ICT anda menaikkan StreamMaxLength dalam clamd.conf (maksimum 4 GB), atau hantar fail yang lebih kecil. Tiada apa-apa dihantar atau disimpan.
scanner_error = Pengimbas perisian hasad melaporkan ralat ({ $reason }).
    .bare = Pengimbas perisian hasad melaporkan ralat.
scanner_error-do = Sila maklumkan kepada pentadbir ICT anda berserta mesej ini; tiada apa-apa dihantar atau disimpan.
scanner_protocol = Jawapan pengimbas perisian hasad tidak difahami ({ $answer }).
    .bare = Jawapan pengimbas perisian hasad tidak difahami.
scanner_protocol-do = Sila maklumkan kepada pentadbir ICT anda bahawa alamat pengimbas dalam dasar Kepil mungkin bukan perkhidmatan ClamAV.
scanner_not_configured = Dasar Kepil komputer ini mewajibkan imbasan perisian hasad, tetapi tiada pengimbas dinamakan.
scanner_not_configured-do = Sila maklumkan kepada pentadbir ICT anda: scan.scanner dalam dasar Kepil perlu ditetapkan kepada perkhidmatan ClamAV (clamd) komputer ini. Tiada apa-apa dihantar atau disimpan.
scanner_signatures_undated = Tandatangan pengimbas perisian hasad ({ $engine }) tidak menyatakan bila tandatangan itu dibina; dasar komputer ini hanya menerima tandatangan yang berusia paling lama { $max_hours } jam.
    .bare = Tandatangan pengimbas perisian hasad tidak menyatakan bila tandatangan itu dibina; oleh itu Kepil tidak dapat memastikan tandatangan itu cukup baharu.
scanner_signatures_undated-do = Sila minta pentadbir ICT anda memuatkan tandatangan rasmi ClamAV (freshclam atau pelayan cermin agensi) pada komputer ini, atau melonggarkan max_signature_age_hours dalam dasar Kepil. Tiada apa-apa dihantar atau disimpan.
scanner_signatures_old = Tandatangan pengimbas perisian hasad bertarikh { $date } (berusia { $age_hours } jam); dasar komputer ini hanya menerima tandatangan yang berusia paling lama { $max_hours } jam.
    .bare = Tandatangan pengimbas perisian hasad lebih lama daripada had yang diterima oleh dasar komputer ini.
scanner_signatures_old-do = Sila maklumkan kepada pentadbir ICT anda bahawa kemas kini tandatangan ClamAV (freshclam) telah berhenti pada komputer ini. Tiada apa-apa dihantar atau disimpan.
infected_send = Pengimbas perisian hasad menemui { $signature } dalam "{ $name }". Penghantaran dihentikan: tiada apa-apa yang dimuat naik akan kekal di stor, dan tiada pautan yang berfungsi.
    .bare = Pengimbas perisian hasad menemui perisian hasad dalam salah satu fail. Penghantaran dihentikan: tiada apa-apa yang dimuat naik akan kekal di stor, dan tiada pautan yang berfungsi.
infected_send-do = Jangan hantar atau buka fail ini. Sila laporkan perkara ini kepada Pegawai Keselamatan ICT (ICTSO) agensi anda (Garis Panduan MyGovUC 3.2 A ii 7 dan 3.2 A v 6), dan minta komputer anda diperiksa.
infected_receive = Pengimbas perisian hasad menemui { $signature } dalam "{ $name }". Tiada fail disimpan.
    .bare = Pengimbas perisian hasad menemui perisian hasad dalam pakej ini. Tiada fail disimpan.
infected_receive-do = { $sender_status ->
    [verified] Jangan minta fail ini semula. Sila laporkan perkara ini kepada Pegawai Keselamatan ICT (ICTSO) agensi anda berserta maklumat berikut: pemindahan { $transfer_id }, dihantar oleh { $sender } (disahkan oleh { $store }), pengesanan { $signature }.
   *[unverified] Jangan minta fail ini semula. Sila laporkan perkara ini kepada Pegawai Keselamatan ICT (ICTSO) agensi anda berserta maklumat berikut: pemindahan { $transfer_id } dari { $store }, penghantar tidak disahkan (pakej menyatakan "{ $sender }"), pengesanan { $signature }.
}
    .bare = Jangan minta fail ini semula. Sila laporkan perkara ini kepada Pegawai Keselamatan ICT (ICTSO) agensi anda berserta pautan pemindahan itu.

## Pautan dan kata laluan yang belum diserahkan (disimpan dalam storan kelayakan sistem sehingga diserahkan)

handover_gone = Pautan dan kata laluan pemindahan { $transfer_id } tidak lagi disimpan di komputer ini.
    .bare = Pautan dan kata laluan pemindahan ini tidak lagi disimpan di komputer ini.
handover_gone-do = Kepil memadamkannya sebaik sahaja anda menandakan kedua-duanya telah diserahkan, apabila pemindahan ditarik balik atau tamat tempoh, atau tidak pernah menyimpannya (tiada storan kelayakan sistem semasa dihantar). Jika penerima belum menerimanya, sila tarik balik pemindahan itu dan hantar semula.
handover_damaged = Pautan dan kata laluan pemindahan { $transfer_id } yang disimpan tidak dapat dibaca.
    .bare = Pautan dan kata laluan pemindahan ini yang disimpan tidak dapat dibaca.
handover_damaged-do = Sila tarik balik pemindahan itu dan hantar semula.
handover_not_kept = Kepil menyimpan pautan dan kata laluan yang belum diserahkan dalam storan kelayakan sistem sahaja, dan { $reason }.
    .bare = Kepil menyimpan pautan dan kata laluan yang belum diserahkan dalam storan kelayakan sistem sahaja, dan storan itu tidak dapat digunakan.
handover_not_kept-do = Sila serahkan setiap pautan dan kata laluan sebelum menutup Kepil: semuanya disimpan sehingga itu sahaja.
