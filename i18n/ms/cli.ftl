## Katalog mesej Kepil, Bahasa Melayu: kod arahan `kepil` sendiri. Skema kunci: lihat core.ftl.

bad_duration = Tempoh tidak sah: { $input }.
    .bare = Tempoh tidak sah.
bad_duration-do = Gunakan nombor dan unit, contohnya 3d, 12h atau 90m.
no_terminal = Tiada terminal untuk bertanya.
no_terminal-do = Gunakan { $flag }.
    .bare = Jalankan kepil dalam terminal.
stdin = Input piawai tidak dapat dibaca ({ $reason }).
    .bare = Input piawai tidak dapat dibaca.
stdin-do = Semak apa yang disalurkan kepada kepil dan cuba lagi.
empty_token = Token kosong.
empty_token-do = Tampal keseluruhan token yang diberikan oleh pentadbir ICT anda.
