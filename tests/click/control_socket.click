// control_socket.click -- Click's ControlSocket: a running router that Click's tools (clicky,
// telnet, nc) can read and write, over TCP and over a UNIX socket that only reads.

src :: RatedSource(RATE 100)
	-> cnt :: Counter
	-> Discard;

ControlSocket(TCP, 41900+, LOCALHOST true);
ControlSocket(UNIX, /tmp/nb-click-control.sock, READONLY true, RETRIES 3, RETRY_WARNINGS false);

// The run ends when a client writes the global `stop` handler, or after ten seconds.
DriverManager(wait 10s, print cnt.count, stop);
