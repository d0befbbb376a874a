/*
 * emptycgi: a plain-CGI program that does nothing but answer, linked
 * (by mk/bench.mk) against exactly the shared libraries profile.fcgi
 * loads: the time the dynamic loader and the kernel take before any of
 * latchkey's own work, the floor a CGI request to latchkey stands on.
 */
#include <stdio.h>

int	main(void);

int
main(void)
{
	static const char	resp[] =
	    "Status: 200 OK\r\n"
	    "Content-Type: application/json\r\n"
	    "Cache-Control: no-store\r\n"
	    "Content-Length: 3\r\n"
	    "\r\n"
	    "{}\n";

	(void)fwrite(resp, 1, sizeof(resp) - 1, stdout);
	return 0;
}
