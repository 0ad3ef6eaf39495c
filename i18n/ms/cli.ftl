## Katalog mesej Kepil, Bahasa Melayu: kod arahan `kepil` sendiri. Skema kunci: lihat core.ftl.

bad_duration = Tempoh tidak sah: { $input }.
    .bare = Tempoh tidak sah.
bad_duration-do = Sila gunakan nombor dan unit, contohnya 3d, 12h atau 90m.
no_terminal = Tiada terminal untuk memaparkan soalan.
no_terminal-do = Sila gunakan { $flag }.
    .bare = Sila jalankan kepil dalam terminal.
stdin = Input piawai tidak dapat dibaca ({ $reason }).
    .bare = Input piawai tidak dapat dibaca.
stdin-do = Sila semak data yang disalurkan kepada kepil dan cuba lagi.
empty_token = Token kosong.
empty_token-do = Sila tampal keseluruhan token yang diberikan oleh pentadbir ICT anda.
