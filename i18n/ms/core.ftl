## Katalog mesej Kepil, Bahasa Melayu: ralat kepil-core (dasar, kata laluan, terbitan kunci,
## pautan, pakej). Skema kunci (docs/architecture.md, "Messages"):
##   kod = apa yang berlaku;  kod-do = apa yang perlu dibuat;  .bare = ayat apabila parameter tiada;
##   kod-app / kod-do-app = ayat aplikasi desktop jika berbeza (dibaca oleh UI sahaja).
## Setiap { $param } mesti diberi oleh Coded::params() ralat itu (disemak oleh
## src-tauri/tests/catalogue.rs). Jangan sekali-kali letak rahsia dalam parameter.
## Istilah dan gaya bahasa: docs/wording.md.

-ict = pentadbir ICT agensi anda
-nothing-saved = Tiada fail disimpan.
-resend = minta penghantar menghantarnya semula
-params-hint = Tetapan ini datang daripada stor Kepil. Jangan teruskan; sila laporkan perkara ini kepada { -ict }.

unknown = Ralat tidak dijangka (kod: { $code }).
unknown-do = Sila cuba lagi; jika berulang, laporkan kod ini kepada { -ict }.

cancelled = Dibatalkan.
cancelled-do = { $direction ->
    [receive] { -nothing-saved }
   *[send] {""}
}
    .bare = {""}

language_unknown = Bahasa "{ $input }" tidak disokong.
    .bare = Bahasa tidak disokong.
language_unknown-do = Sila gunakan "ms" (Bahasa Melayu) atau "en" (English).

## Klasifikasi

classification_unknown = Klasifikasi "{ $input }" tidak dikenali.
    .bare = Klasifikasi tidak dikenali.
classification_unknown-do = Sila pilih salah satu: TERBUKA (OPEN), TERHAD (RESTRICTED), SULIT (CONFIDENTIAL), RAHSIA (SECRET), RAHSIA BESAR (TOP SECRET).
classification_refused = Maklumat { $classification } tidak boleh dihantar melalui Kepil: penghantaran dan penyimpanan maklumat rahsia rasmi yang diklasifikasikan sebagai RAHSIA dan RAHSIA BESAR adalah TIDAK DIBENARKAN (Garis Panduan MyGovUC 3.2 A ii 6 dan 1.4.1 l iii).
    .bare = Klasifikasi ini tidak boleh dihantar melalui Kepil: penghantaran dan penyimpanan maklumat rahsia rasmi yang diklasifikasikan sebagai RAHSIA dan RAHSIA BESAR adalah TIDAK DIBENARKAN (Garis Panduan MyGovUC 3.2 A ii 6 dan 1.4.1 l iii).
classification_refused-do = Sila gunakan saluran yang diluluskan oleh Pegawai Keselamatan Kerajaan agensi anda.

## Kata laluan (mesej tidak pernah mengulang kata laluan)

password_empty = Tiada kata laluan dimasukkan.
password_empty-do = Sila masukkan kata laluan yang diterima melalui SMS atau panggilan telefon (16 huruf dan angka, contohnya ABCD-EFGH-JKMN-PQRS).
password_wrong_length = Kata laluan Kepil mengandungi { $expected } huruf dan angka (tidak termasuk tanda sengkang dan ruang kosong), tetapi { $found } aksara dimasukkan.
    .bare = Panjang kata laluan tidak betul.
password_wrong_length-do = Sila semak semula kata laluan dengan penghantar dan pastikan tiada aksara yang tertinggal atau berlebihan.
password_bad_character = Aksara ke-{ $position } ("{ $character }") tidak digunakan dalam kata laluan Kepil. Kata laluan hanya mengandungi angka 0–9 dan huruf A–Z kecuali I, L, O dan U.
    .bare = Kata laluan mengandungi aksara yang tidak digunakan oleh Kepil (hanya angka 0–9 dan huruf A–Z kecuali I, L, O dan U).
password_bad_character-do = Sila semak semula aksara tersebut.
password_letter_u = Aksara ke-{ $position } ialah huruf U, yang tidak pernah digunakan dalam kata laluan Kepil.
    .bare = Kata laluan mengandungi huruf U, yang tidak pernah digunakan dalam kata laluan Kepil.
password_letter_u-do = Mungkin huruf V yang dimaksudkan: sila sahkan dengan penghantar sebelum mencuba, kerana bilangan cubaan yang salah adalah terhad.

## Terbitan kunci (tetapan datang daripada metadata geran di stor)

kdf_unsupported_version = Versi terbitan kunci { $found } tidak disokong (versi yang disokong: { $supported }).
    .bare = Pautan ini dibuat oleh versi Kepil yang lebih baharu.
kdf_unsupported_version-do = Sila kemas kini aplikasi Kepil anda; jika masalah berterusan, laporkan kepada { -ict }.
kdf_memory_too_low = Tetapan Argon2 terlalu lemah: memori { $m_kib } KiB kurang daripada had minimum { $min } KiB.
    .bare = Tetapan keselamatan pautan terlalu lemah dan ditolak oleh Kepil.
kdf_memory_too_low-do = { -params-hint }
kdf_memory_too_high = Tetapan Argon2 terlalu tinggi: memori { $m_kib } KiB melebihi had { $max } KiB.
    .bare = Tetapan keselamatan pautan melebihi had selamat dan ditolak oleh Kepil.
kdf_memory_too_high-do = { -params-hint }
kdf_time_too_low = Tetapan Argon2 terlalu lemah: { $t } lelaran kurang daripada had minimum { $min }.
    .bare = Tetapan keselamatan pautan terlalu lemah dan ditolak oleh Kepil.
kdf_time_too_low-do = { -params-hint }
kdf_time_too_high = Tetapan Argon2 terlalu tinggi: { $t } lelaran melebihi had { $max }.
    .bare = Tetapan keselamatan pautan melebihi had selamat dan ditolak oleh Kepil.
kdf_time_too_high-do = { -params-hint }
kdf_parallelism_too_low = Tetapan Argon2 tidak sah: { $p } lorong kurang daripada had minimum { $min }.
    .bare = Tetapan keselamatan pautan terlalu lemah dan ditolak oleh Kepil.
kdf_parallelism_too_low-do = { -params-hint }
kdf_parallelism_too_high = Tetapan Argon2 terlalu tinggi: { $p } lorong melebihi had { $max }.
    .bare = Tetapan keselamatan pautan melebihi had selamat dan ditolak oleh Kepil.
kdf_parallelism_too_high-do = { -params-hint }
kdf_bad_transfer_id = ID pemindahan tidak sah (panjang { $len }; mesti antara 1 hingga { $max } bait).
    .bare = ID pemindahan dalam pautan rosak.
kdf_bad_transfer_id-do = Sila cuba buka pautan sekali lagi; jika masalah berterusan, laporkan kepada { -ict }.
kdf_failed = Kunci tidak dapat diterbitkan ({ $reason }).
    .bare = Kunci tidak dapat diterbitkan.
kdf_failed-do = Ini biasanya berlaku kerana memori komputer tidak mencukupi: sila tutup aplikasi lain dan cuba lagi.
kdf_identity_encoding = Ralat dalaman semasa menjana kunci penyahsulitan.
kdf_identity_encoding-do = Sila cuba lagi; jika masalah berterusan, laporkan kepada { -ict }.
auth_key_bad_encoding = Kunci pengesahan (auth_key) bukan dalam format base64url tanpa pelapik (padding).
auth_key_bad_encoding-do = Sila pastikan versi klien Kepil yang digunakan adalah serasi.
auth_key_wrong_length = Kunci pengesahan (auth_key) mesti { $expected } bait, tetapi { $found } bait diterima.
    .bare = Panjang kunci pengesahan (auth_key) tidak betul.
auth_key_wrong_length-do = Sila pastikan versi klien Kepil yang digunakan adalah serasi.

## Pautan (mesej tidak pernah mengulang rahsia selepas #)

link_not_found = Tiada pautan ditemui.
link_not_found-do = Sila salin keseluruhan pautan Kepil daripada e-mel (bermula dengan https://) dan tampal semula.
link_not_kepil = Ini bukan pautan Kepil. Pautan Kepil berbentuk https://…/t/ID#KOD.
link_not_kepil-do = Sila salin pautan yang betul daripada e-mel.
link_missing_secret = Bahagian selepas # telah tercicir daripada pautan.
link_missing_secret-do = Sila salin keseluruhan pautan daripada e-mel (termasuk # dan semua aksara selepasnya) dan tampal semula.
link_secret_length = Bahagian selepas # dalam pautan mesti { $expected } aksara, tetapi { $found } aksara ditemui.
    .bare = Bahagian selepas # dalam pautan tidak lengkap.
link_secret_length-do = Pautan mungkin terpotong atau tersambung dengan teks lain: sila salin keseluruhan pautan sekali lagi.
link_secret_damaged = Bahagian selepas # dalam pautan telah rosak.
link_secret_damaged-do = Sila salin pautan terus daripada e-mel asal tanpa menaipnya semula; jika masih gagal, { -resend }.
link_id_damaged = ID selepas /t/ dalam pautan rosak atau terpotong (mesti { $expected } aksara).
    .bare = ID selepas /t/ dalam pautan rosak atau terpotong.
link_id_damaged-do = Sila salin keseluruhan pautan daripada e-mel dan tampal semula.
link_insecure_http = Pautan ke "{ $host }" menggunakan http:// tanpa penyulitan. Kepil hanya menerima https:// (kecuali bagi stor pada komputer ini).
    .bare = Pautan menggunakan http:// tanpa penyulitan. Kepil hanya menerima https:// (kecuali bagi stor pada komputer ini).
link_insecure_http-do = Jangan buka pautan ini; sila maklumkan kepada penghantar atau pentadbir ICT anda.
link_has_credentials = Pautan mengandungi nama pengguna atau kata laluan sebelum alamat pelayan, iaitu satu helah pancingan data (phishing).
link_has_credentials-do = Jangan buka pautan ini; sila maklumkan kepada { -ict }.
link_bad_store_address = Alamat stor dalam pautan tidak sah.
link_bad_store_address-do = Sila salin keseluruhan pautan daripada e-mel sekali lagi; jika masih gagal, { -resend }.
link_wrapper_unreadable = Pautan telah diubah oleh sistem keselamatan e-mel dan tidak dapat dipulihkan.
link_wrapper_unreadable-do = Sila minta penghantar menghantar semula pautan itu, atau salin pautan daripada paparan pautan asal ("original link") e-mel tersebut.

## Membina dan menyulitkan pakej

package_no_recipients = Tiada penerima.
package_no_recipients-do = Sila tambah sekurang-kurangnya seorang penerima.
package_too_many_recipients = Terlalu ramai penerima ({ $count }); had bagi satu penghantaran ialah { $max }.
    .bare = Terlalu ramai penerima untuk satu penghantaran.
package_too_many_recipients-do = Sila bahagikan penerima kepada beberapa penghantaran.
package_details_invalid = Butiran penghantaran tidak sah ({ $reason }).
    .bare = Butiran penghantaran tidak sah.
package_details_invalid-do = Sila semak tarikh tamat tempoh dan cuba lagi.
package_not_a_file = "{ $path }" bukan fail biasa (mungkin folder).
    .bare = Salah satu item bukan fail biasa (mungkin folder).
package_not_a_file-do = Sila pilih fail sahaja; jika perlu, mampatkan folder menjadi fail ZIP terlebih dahulu.
package_file_unreadable = Fail "{ $path }" tidak dapat dibaca ({ $reason }).
    .bare = Salah satu fail tidak dapat dibaca.
package_file_unreadable-do = Sila pastikan fail itu wujud dan anda mempunyai kebenaran untuk membacanya, kemudian cuba lagi.
package_file_changed = Saiz fail "{ $path }" berubah semasa fail itu disulitkan ({ $expected } bait dijangkakan, { $found } bait ditemui).
    .bare = Saiz salah satu fail berubah semasa fail itu disulitkan.
package_file_changed-do = Sila tunggu sehingga fail itu selesai disimpan atau disalin, kemudian hantar semula.
package_manifest_too_large = { $direction ->
    [receive] Senarai kandungan pakej terlalu besar ({ $len } bait; had { $max }) dan ditolak.
   *[send] Senarai fail, perkara dan mesej terlalu panjang ({ $len } bait; had { $max }).
}
    .bare = Senarai fail, perkara dan mesej terlalu panjang.
package_manifest_too_large-do = { $direction ->
    [receive] Sila minta penghantar menghantarnya semula menggunakan Kepil. { -nothing-saved }
   *[send] Sila pendekkan mesej atau kurangkan bilangan fail (mampatkan fail ke dalam ZIP).
}
package_too_many_files = { $direction ->
    [receive] Pakej ini menyenaraikan { $count } fail, melebihi had Kepil bagi satu pakej ({ $max }).
   *[send] { $count } fail melebihi had bagi satu pakej ({ $max }).
}
    .bare = Bilangan fail melebihi had bagi satu pakej.
package_too_many_files-do = { $direction ->
    [receive] Sila minta penghantar memampatkan fail-fail itu ke dalam satu arkib (ZIP) dan menghantarnya semula. { -nothing-saved }
   *[send] Sila mampatkan fail-fail itu ke dalam satu arkib (ZIP) dan hantar arkib tersebut.
}
    .bare = Sila mampatkan fail-fail itu ke dalam satu arkib (ZIP) dan hantar arkib tersebut.
package_write_failed = Pakej yang disulitkan tidak dapat ditulis ({ $reason }).
    .bare = Pakej yang disulitkan tidak dapat ditulis.
package_write_failed-do = Sila semak ruang cakera atau sambungan rangkaian dan cuba lagi.
package_inspection_stopped = Operasi ini dihentikan oleh semakan kandungan fail.
package_inspection_stopped-do = { $direction ->
    [receive] { -nothing-saved }
   *[send] Tiada apa-apa dihantar.
}
    .bare = Tiada apa-apa dihantar atau disimpan.
package_internal_error = Ralat dalaman semasa menyulitkan ({ $detail }).
    .bare = Ralat dalaman semasa menyulitkan.
package_internal_error-do = Sila cuba lagi; jika berulang, laporkan kepada { -ict }.

## Membuka pakej (setiap kegagalan: tiada apa-apa ditinggalkan dalam folder destinasi)

package_not_age = Ini bukan pakej Kepil (bukan fail age).
package_not_age-do = Sila pastikan anda membuka pautan atau fail yang betul. { -nothing-saved }
package_armored = Ini ialah fail age berperisai ASCII ("-----BEGIN AGE ENCRYPTED FILE-----"); Kepil hanya menerima fail age binari.
package_armored-do = Sila nyahsulitkan fail ini dengan `age -d`, atau minta penghantar menghantarnya melalui Kepil. { -nothing-saved }
package_header_corrupt = Pengepala pakej rosak atau telah diubah.
package_header_corrupt-do = Sila muat turun semula; jika berulang, { -resend }. { -nothing-saved }
package_version_unsupported = Pakej ini dibuat dengan format yang lebih baharu ({ $version }).
    .bare = Pakej ini dibuat dengan format yang lebih baharu.
package_version_unsupported-do = Sila kemas kini Kepil dan cuba lagi. { -nothing-saved }
package_wrong_key = Pakej ini tidak dapat dibuka dengan pautan dan kata laluan ini. Setiap penerima mempunyai pautan dan kata laluan sendiri.
package_wrong_key-do = Sila pastikan kedua-duanya milik anda dan bagi pemindahan ini. { -nothing-saved }
package_tampered = Pengesahan pengepala pakej gagal: pakej telah diubah selepas dihantar.
package_tampered-do = Jangan gunakan pakej ini; { -resend } dan maklumkan kepada Pegawai Keselamatan ICT (ICTSO) anda. { -nothing-saved }
package_corrupt = Kandungan pakej gagal pengesahan: kandungan itu rosak atau telah diubah.
package_corrupt-do = Sila muat turun semula; jika berulang, { -resend }. { -nothing-saved }
package_truncated = Pakej tidak lengkap (muat turun terputus).
package_truncated-do = Sila muat turun semula. { -nothing-saved }
package_not_kepil = Fail age ini dapat dibuka dengan kunci anda, tetapi ia bukan pakej Kepil.
package_not_kepil-do = Sila buka fail ini dengan alat age biasa, atau minta penghantar menghantarnya melalui Kepil. { -nothing-saved }
package_manifest_invalid = Senarai kandungan pakej tidak sah ({ $reason }).
    .bare = Senarai kandungan pakej tidak sah.
package_manifest_invalid-do = Sila minta penghantar menghantarnya semula menggunakan Kepil versi terkini. { -nothing-saved }
package_classification_refused = Pemindahan ini ditandakan { $classification }. Kepil tidak sekali-kali membuka maklumat RAHSIA atau RAHSIA BESAR: penghantaran dan penyimpanannya dengan cara ini adalah TIDAK DIBENARKAN (Garis Panduan MyGovUC 1.4.1 l iii dan 3.2 A ii 6).
    .bare = Pemindahan ini ditandakan RAHSIA atau RAHSIA BESAR. Kepil tidak sekali-kali membuka maklumat sedemikian: penghantaran dan penyimpanannya dengan cara ini adalah TIDAK DIBENARKAN (Garis Panduan MyGovUC 1.4.1 l iii dan 3.2 A ii 6).
package_classification_refused-do = Sila laporkan perkara ini dengan segera kepada Pegawai Keselamatan ICT (ICTSO) agensi anda sebagai insiden keselamatan, berserta nama penghantar, tarikh dan e-mel yang mengandungi pautan itu; jangan majukan pautan atau kata laluan, dan jangan minta fail itu sekali lagi melalui Kepil. { -nothing-saved }
package_manifest_mismatch = Kandungan pakej tidak sepadan dengan senarai failnya.
package_manifest_mismatch-do = Sila minta penghantar menghantarnya semula. { -nothing-saved }
package_file_hash_mismatch = Hasil tambah semak (checksum) fail "{ $name }" tidak sepadan: fail itu tidak sama dengan fail yang dihantar.
    .bare = Hasil tambah semak (checksum) salah satu fail tidak sepadan: fail itu tidak sama dengan fail yang dihantar.
package_file_hash_mismatch-do = Sila minta penghantar menghantarnya semula. { -nothing-saved }
package_trailing_data = Terdapat data tambahan selepas penghujung pakej; pakej itu mungkin telah diubah.
package_trailing_data-do = Sila muat turun semula atau minta penghantar menghantarnya semula. { -nothing-saved }
package_read_failed = Pakej tidak dapat dibaca ({ $reason }).
    .bare = Pakej tidak dapat dibaca.
package_read_failed-do = Sila semak sambungan rangkaian atau fail itu dan cuba lagi. { -nothing-saved }
destination_not_writable = Folder "{ $path }" tidak boleh ditulis ({ $reason }).
    .bare = Folder itu tidak boleh ditulis.
destination_not_writable-do = Sila pilih folder lain yang membenarkan anda menyimpan fail. { -nothing-saved }
disk_full = Cakera penuh semasa menulis ke "{ $path }".
    .bare = Cakera penuh.
disk_full-do = Sila kosongkan sebahagian ruang cakera atau pilih folder lain, kemudian cuba lagi. { -nothing-saved }
file_write_failed = "{ $path }" tidak dapat ditulis ({ $reason }).
    .bare = Fail tidak dapat ditulis.
file_write_failed-do = Sila semak folder destinasi dan cuba lagi. { -nothing-saved }
