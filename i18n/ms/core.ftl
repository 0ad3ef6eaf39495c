## Katalog mesej Kepil, Bahasa Melayu: ralat kepil-core (polisi, kata laluan, terbitan kunci,
## pautan, pakej). Skema kunci (docs/architecture.md, "Messages"):
##   kod = apa yang berlaku;  kod-do = apa yang perlu dibuat;  .bare = ayat tanpa parameter;
##   kod-app / kod-do-app = ayat aplikasi desktop jika berbeza (dibaca oleh UI sahaja).
## Setiap { $param } mesti diberi oleh Coded::params() ralat itu (disemak oleh
## src-tauri/tests/catalogue.rs). Jangan sekali-kali letak rahsia dalam parameter.

-ict = pentadbir ICT agensi anda
-nothing-saved = Tiada fail disimpan.
-resend = minta penghantar menghantar semula
-params-hint = Tetapan ini datang daripada pelayan storan Kepil. Jangan teruskan; laporkan kepada { -ict }.

unknown = Ralat tidak dijangka (kod: { $code }).
unknown-do = Cuba lagi; jika berulang, laporkan kod ini kepada { -ict }.

cancelled = Dibatalkan.
cancelled-do = { $direction ->
    [receive] { -nothing-saved }
   *[send] {""}
}
    .bare = {""}

language_unknown = Bahasa "{ $input }" tidak disokong.
    .bare = Bahasa tidak disokong.
language_unknown-do = Gunakan "ms" (Bahasa Melayu) atau "en" (English).

## Klasifikasi

classification_unknown = Klasifikasi "{ $input }" tidak dikenali.
    .bare = Klasifikasi tidak dikenali.
classification_unknown-do = Pilih salah satu: TERBUKA (OPEN), TERHAD (RESTRICTED), SULIT (CONFIDENTIAL), RAHSIA (SECRET), RAHSIA BESAR (TOP SECRET).
classification_refused = Maklumat { $classification } tidak boleh dihantar melalui Kepil: penghantaran dan penyimpanan maklumat rahsia rasmi RAHSIA dan RAHSIA BESAR adalah TIDAK DIBENARKAN (Garis Panduan MyGovUC 3.2 A ii 6 dan 1.4.1 l iii).
    .bare = Klasifikasi ini tidak boleh dihantar melalui Kepil: penghantaran dan penyimpanan maklumat rahsia rasmi RAHSIA dan RAHSIA BESAR adalah TIDAK DIBENARKAN (Garis Panduan MyGovUC 3.2 A ii 6 dan 1.4.1 l iii).
classification_refused-do = Gunakan saluran yang diluluskan oleh Pegawai Keselamatan Kerajaan agensi anda.

## Kata laluan (mesej tidak pernah mengulang kata laluan)

password_empty = Tiada kata laluan dimasukkan.
password_empty-do = Sila masukkan kata laluan yang diterima melalui SMS atau panggilan telefon (16 huruf dan angka, contohnya ABCD-EFGH-JKMN-PQRS).
password_wrong_length = Kata laluan Kepil mengandungi { $expected } huruf dan angka (tidak termasuk tanda sengkang dan ruang), tetapi { $found } dimasukkan.
    .bare = Panjang kata laluan tidak betul.
password_wrong_length-do = Semak semula kata laluan dengan penghantar dan pastikan tiada huruf yang tertinggal atau berlebihan.
password_bad_character = Aksara ke-{ $position } ("{ $character }") tidak digunakan dalam kata laluan Kepil. Kata laluan hanya mengandungi angka 0–9 dan huruf A–Z kecuali I, L, O dan U.
    .bare = Kata laluan mengandungi aksara yang tidak digunakan oleh Kepil (hanya angka 0–9 dan huruf A–Z kecuali I, L, O dan U).
password_bad_character-do = Semak semula aksara tersebut.
password_letter_u = Aksara ke-{ $position } ialah huruf U, yang tidak pernah digunakan dalam kata laluan Kepil.
    .bare = Kata laluan mengandungi huruf U, yang tidak pernah digunakan dalam kata laluan Kepil.
password_letter_u-do = Mungkin huruf V dimaksudkan: sahkan dengan penghantar sebelum mencuba, kerana cubaan yang salah dihadkan.

## Terbitan kunci (tetapan datang daripada metadata geran di stor)

kdf_unsupported_version = Versi terbitan kunci { $found } tidak disokong (versi disokong: { $supported }).
    .bare = Pautan ini dibuat oleh versi Kepil yang lebih baharu.
kdf_unsupported_version-do = Kemas kini aplikasi Kepil anda; jika masih berlaku, laporkan kepada { -ict }.
kdf_memory_too_low = Tetapan Argon2 terlalu lemah: memori { $m_kib } KiB kurang daripada minimum { $min } KiB.
    .bare = Tetapan keselamatan pautan terlalu lemah, jadi Kepil menolaknya.
kdf_memory_too_low-do = { -params-hint }
kdf_memory_too_high = Tetapan Argon2 terlalu tinggi: memori { $m_kib } KiB melebihi had { $max } KiB.
    .bare = Tetapan keselamatan pautan melebihi had selamat, jadi Kepil menolaknya.
kdf_memory_too_high-do = { -params-hint }
kdf_time_too_low = Tetapan Argon2 terlalu lemah: { $t } laluan kurang daripada minimum { $min }.
    .bare = Tetapan keselamatan pautan terlalu lemah, jadi Kepil menolaknya.
kdf_time_too_low-do = { -params-hint }
kdf_time_too_high = Tetapan Argon2 terlalu tinggi: { $t } laluan melebihi had { $max }.
    .bare = Tetapan keselamatan pautan melebihi had selamat, jadi Kepil menolaknya.
kdf_time_too_high-do = { -params-hint }
kdf_parallelism_too_low = Tetapan Argon2 tidak sah: { $p } lorong kurang daripada minimum { $min }.
    .bare = Tetapan keselamatan pautan terlalu lemah, jadi Kepil menolaknya.
kdf_parallelism_too_low-do = { -params-hint }
kdf_parallelism_too_high = Tetapan Argon2 terlalu tinggi: { $p } lorong melebihi had { $max }.
    .bare = Tetapan keselamatan pautan melebihi had selamat, jadi Kepil menolaknya.
kdf_parallelism_too_high-do = { -params-hint }
kdf_bad_transfer_id = ID pemindahan tidak sah (panjang { $len }; mesti 1 hingga { $max } bait).
    .bare = ID pemindahan dalam pautan rosak.
kdf_bad_transfer_id-do = Cuba buka pautan sekali lagi; jika masih berlaku, laporkan kepada { -ict }.
kdf_failed = Kunci tidak dapat diterbitkan ({ $reason }).
    .bare = Kunci tidak dapat diterbitkan.
kdf_failed-do = Biasanya memori komputer tidak mencukupi: tutup aplikasi lain dan cuba lagi.
kdf_identity_encoding = Ralat dalaman semasa membina kunci penyahsulitan.
kdf_identity_encoding-do = Cuba lagi; jika masih berlaku, laporkan kepada { -ict }.
auth_key_bad_encoding = Kunci pengesahan (auth_key) bukan base64url tanpa padding.
auth_key_bad_encoding-do = Pastikan pelanggan Kepil yang digunakan adalah versi yang betul.
auth_key_wrong_length = Kunci pengesahan (auth_key) mesti { $expected } bait, tetapi { $found } bait diterima.
    .bare = Panjang kunci pengesahan (auth_key) tidak betul.
auth_key_wrong_length-do = Pastikan pelanggan Kepil yang digunakan adalah versi yang betul.

## Pautan (mesej tidak pernah mengulang rahsia selepas #)

link_not_found = Tiada pautan ditemui.
link_not_found-do = Salin keseluruhan pautan Kepil daripada e-mel (bermula dengan https://) dan tampal semula.
link_not_kepil = Ini bukan pautan Kepil. Pautan Kepil berbentuk https://…/t/ID#RAHSIA.
link_not_kepil-do = Salin pautan yang betul daripada e-mel.
link_missing_secret = Bahagian selepas # telah terbuang daripada pautan.
link_missing_secret-do = Salin keseluruhan pautan daripada e-mel (termasuk # dan semua aksara selepasnya) dan tampal semula.
link_secret_length = Bahagian selepas # dalam pautan mesti { $expected } aksara, tetapi { $found } ditemui.
    .bare = Bahagian selepas # dalam pautan tidak lengkap.
link_secret_length-do = Pautan mungkin terpotong atau tersambung dengan teks lain: salin keseluruhan pautan sekali lagi.
link_secret_damaged = Bahagian selepas # dalam pautan telah rosak.
link_secret_damaged-do = Salin pautan terus daripada e-mel asal tanpa menaip semula; jika masih gagal, { -resend }.
link_id_damaged = ID selepas /t/ dalam pautan rosak atau terpotong (mesti { $expected } aksara).
    .bare = ID selepas /t/ dalam pautan rosak atau terpotong.
link_id_damaged-do = Salin keseluruhan pautan daripada e-mel dan tampal semula.
link_insecure_http = Pautan ke "{ $host }" menggunakan http:// tanpa penyulitan. Kepil hanya menerima https:// (kecuali pelayan storan pada komputer ini).
    .bare = Pautan menggunakan http:// tanpa penyulitan. Kepil hanya menerima https:// (kecuali pelayan storan pada komputer ini).
link_insecure_http-do = Jangan buka pautan ini; maklumkan kepada penghantar atau pentadbir ICT.
link_has_credentials = Pautan mengandungi nama pengguna atau kata laluan sebelum alamat pelayan, satu helah pancingan data (phishing).
link_has_credentials-do = Jangan buka pautan ini; maklumkan kepada { -ict }.
link_bad_store_address = Alamat pelayan storan dalam pautan tidak sah.
link_bad_store_address-do = Salin keseluruhan pautan daripada e-mel sekali lagi; jika masih gagal, { -resend }.
link_wrapper_unreadable = Pautan telah diubah oleh sistem keselamatan e-mel dan tidak dapat dipulihkan.
link_wrapper_unreadable-do = Minta penghantar menghantar pautan semula, atau salin pautan dari paparan asal ("original link") e-mel tersebut.

## Membina dan menyulitkan pakej

package_no_recipients = Tiada penerima.
package_no_recipients-do = Tambah sekurang-kurangnya seorang penerima.
package_too_many_recipients = Terlalu ramai penerima ({ $count }); had satu penghantaran ialah { $max }.
    .bare = Terlalu ramai penerima untuk satu penghantaran.
package_too_many_recipients-do = Bahagikan penerima kepada beberapa penghantaran.
package_details_invalid = Butiran penghantaran tidak sah ({ $reason }).
    .bare = Butiran penghantaran tidak sah.
package_details_invalid-do = Semak tarikh luput dan cuba lagi.
package_not_a_file = "{ $path }" bukan fail biasa (mungkin folder).
    .bare = Salah satu item bukan fail biasa (mungkin folder).
package_not_a_file-do = Pilih fail sahaja; mampatkan folder menjadi fail ZIP dahulu jika perlu.
package_file_unreadable = Fail "{ $path }" tidak dapat dibaca ({ $reason }).
    .bare = Salah satu fail tidak dapat dibaca.
package_file_unreadable-do = Pastikan fail itu wujud dan anda mempunyai kebenaran membacanya, kemudian cuba lagi.
package_file_changed = Saiz fail "{ $path }" berubah semasa disulitkan ({ $expected } bait dijangka, { $found } ditemui).
    .bare = Saiz salah satu fail berubah semasa disulitkan.
package_file_changed-do = Tunggu sehingga fail itu selesai disimpan atau disalin, kemudian hantar semula.
package_manifest_too_large = { $direction ->
    [receive] Senarai kandungan pakej terlalu besar ({ $len } bait; had { $max }) dan ditolak.
   *[send] Senarai fail, subjek dan mesej terlalu panjang ({ $len } bait; had { $max }).
}
    .bare = Senarai fail, subjek dan mesej terlalu panjang.
package_manifest_too_large-do = { $direction ->
    [receive] Minta penghantar menghantar semula menggunakan Kepil. { -nothing-saved }
   *[send] Pendekkan mesej atau kurangkan bilangan fail (mampatkan ke dalam ZIP).
}
package_too_many_files = { $direction ->
    [receive] Pakej ini menyenaraikan { $count } fail, melebihi had Kepil untuk satu pakej ({ $max }).
   *[send] { $count } fail melebihi had satu pakej ({ $max }).
}
    .bare = Bilangan fail melebihi had satu pakej.
package_too_many_files-do = { $direction ->
    [receive] Minta penghantar memampatkan fail-fail itu ke dalam arkib (ZIP) dan menghantar semula. { -nothing-saved }
   *[send] Mampatkan fail-fail itu ke dalam arkib (ZIP) dan hantar arkib itu.
}
    .bare = Mampatkan fail-fail itu ke dalam arkib (ZIP) dan hantar arkib itu.
package_write_failed = Pakej tersulit tidak dapat ditulis ({ $reason }).
    .bare = Pakej tersulit tidak dapat ditulis.
package_write_failed-do = Semak ruang cakera atau sambungan rangkaian dan cuba lagi.
package_inspection_stopped = Semakan kandungan fail menghentikan operasi ini.
package_inspection_stopped-do = { $direction ->
    [receive] { -nothing-saved }
   *[send] Tiada apa-apa dihantar.
}
    .bare = Tiada apa-apa dihantar atau disimpan.
package_internal_error = Ralat dalaman semasa menyulitkan ({ $detail }).
    .bare = Ralat dalaman semasa menyulitkan.
package_internal_error-do = Cuba lagi; jika berulang, laporkan kepada { -ict }.

## Membuka pakej (setiap kegagalan: tiada apa-apa ditinggalkan dalam folder destinasi)

package_not_age = Ini bukan pakej Kepil (bukan fail age).
package_not_age-do = Pastikan anda membuka pautan atau fail yang betul. { -nothing-saved }
package_armored = Ini fail age berperisai teks ("-----BEGIN AGE ENCRYPTED FILE-----"); Kepil hanya menerima fail age binari.
package_armored-do = Nyahsulit dengan `age -d` atau minta penghantar menghantar melalui Kepil. { -nothing-saved }
package_header_corrupt = Pengepala pakej rosak atau telah diubah.
package_header_corrupt-do = Muat turun semula; jika berulang, { -resend }. { -nothing-saved }
package_version_unsupported = Pakej ini dibuat dengan format yang lebih baharu ({ $version }).
    .bare = Pakej ini dibuat dengan format yang lebih baharu.
package_version_unsupported-do = Kemas kini Kepil dan cuba lagi. { -nothing-saved }
package_wrong_key = Pakej ini tidak dapat dibuka dengan pautan dan kata laluan ini. Setiap penerima mempunyai pautan dan kata laluan sendiri.
package_wrong_key-do = Pastikan kedua-duanya milik anda dan untuk penghantaran ini. { -nothing-saved }
package_tampered = Pengesahan pengepala pakej gagal: pakej telah diubah selepas dihantar.
package_tampered-do = Jangan gunakannya; { -resend } dan maklumkan Pegawai Keselamatan ICT. { -nothing-saved }
package_corrupt = Kandungan pakej gagal pengesahan: ia rosak atau telah diubah.
package_corrupt-do = Muat turun semula; jika berulang, { -resend }. { -nothing-saved }
package_truncated = Pakej tidak lengkap (muat turun terputus).
package_truncated-do = Muat turun semula. { -nothing-saved }
package_not_kepil = Fail age ini dibuka dengan kunci anda tetapi ia bukan pakej Kepil.
package_not_kepil-do = Buka dengan alat age biasa atau minta penghantar menghantar melalui Kepil. { -nothing-saved }
package_manifest_invalid = Senarai kandungan pakej tidak sah ({ $reason }).
    .bare = Senarai kandungan pakej tidak sah.
package_manifest_invalid-do = Minta penghantar menghantar semula menggunakan Kepil versi terkini. { -nothing-saved }
package_classification_refused = Pemindahan ini ditandakan { $classification }. Kepil tidak sekali-kali membuka maklumat RAHSIA atau RAHSIA BESAR: penghantaran dan penyimpanannya dengan cara ini adalah TIDAK DIBENARKAN (Garis Panduan MyGovUC 1.4.1 l iii dan 3.2 A ii 6).
    .bare = Pemindahan ini ditandakan RAHSIA atau RAHSIA BESAR. Kepil tidak sekali-kali membuka maklumat sedemikian: penghantaran dan penyimpanannya dengan cara ini adalah TIDAK DIBENARKAN (Garis Panduan MyGovUC 1.4.1 l iii dan 3.2 A ii 6).
package_classification_refused-do = Laporkan segera kepada Pegawai Keselamatan ICT agensi anda sebagai insiden keselamatan, bersama nama penghantar, tarikh dan e-mel yang membawa pautan itu; jangan majukan pautan atau kata laluan dan jangan minta fail itu sekali lagi melalui Kepil. { -nothing-saved }
package_manifest_mismatch = Kandungan pakej tidak sepadan dengan senarai failnya.
package_manifest_mismatch-do = Minta penghantar menghantar semula. { -nothing-saved }
package_file_hash_mismatch = Hasil tambah semak (checksum) fail "{ $name }" tidak sepadan: fail itu tidak sama dengan yang dihantar.
    .bare = Hasil tambah semak (checksum) salah satu fail tidak sepadan: fail itu tidak sama dengan yang dihantar.
package_file_hash_mismatch-do = Minta penghantar menghantar semula. { -nothing-saved }
package_trailing_data = Terdapat data tambahan selepas penghujung pakej; ia mungkin telah diubah.
package_trailing_data-do = Muat turun semula atau minta penghantar menghantar semula. { -nothing-saved }
package_read_failed = Pakej tidak dapat dibaca ({ $reason }).
    .bare = Pakej tidak dapat dibaca.
package_read_failed-do = Semak sambungan atau fail dan cuba lagi. { -nothing-saved }
destination_not_writable = Folder "{ $path }" tidak boleh ditulis ({ $reason }).
    .bare = Folder itu tidak boleh ditulis.
destination_not_writable-do = Pilih folder lain yang anda boleh simpan fail. { -nothing-saved }
disk_full = Cakera penuh semasa menulis ke "{ $path }".
    .bare = Cakera penuh.
disk_full-do = Kosongkan ruang atau pilih folder lain, kemudian cuba lagi. { -nothing-saved }
file_write_failed = Gagal menulis "{ $path }" ({ $reason }).
    .bare = Fail tidak dapat ditulis.
file_write_failed-do = Semak folder destinasi dan cuba lagi. { -nothing-saved }
