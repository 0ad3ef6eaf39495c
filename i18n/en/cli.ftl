## Kepil message catalogue, English: the `kepil` command's own codes. Key scheme: see core.ftl.

bad_duration = Invalid duration: { $input }.
    .bare = Invalid duration.
bad_duration-do = Use a number and a unit, for example 3d, 12h or 90m.
no_terminal = There is no terminal to ask on.
no_terminal-do = Use { $flag }.
    .bare = Run kepil in a terminal.
stdin = Standard input could not be read ({ $reason }).
    .bare = Standard input could not be read.
stdin-do = Check what is piped into kepil and try again.
empty_token = The token is empty.
empty_token-do = Paste the whole token your ICT administrator gave you.
