/*
 * noop.fcgi: the cheapest FastCGI responder there is, built with the same
 * flags as latchkey's programs and served by the same lighttpd in the same
 * run by `make bench`.  It accepts a request and answers a fixed small JSON
 * body with the headers latchkey sends, reading nothing and deciding
 * nothing: the ceiling for any FastCGI endpoint on this machine.  Run as
 * plain CGI it answers once and exits: the floor of a CGI program that
 * links libfcgi alone.
 */
#include <stdio.h>

#include <fcgiapp.h>

int	main(void);

int
main(void)
{
	static const char	resp[] =
	    "Status: 200 OK\r\n"
	    "Content-Type: application/json\r\n"
	    "Cache-Control: no-store\r\n"
	    "Content-Length: 47\r\n"
	    "\r\n"
	    "{\"email\":\"test@example.com\",\"name\":\"John Doe\"}\n";
	FCGX_Request		r;

	if (FCGX_IsCGI()) {
		(void)fwrite(resp, 1, sizeof(resp) - 1, stdout);
		return 0;
	}
	if (FCGX_Init() != 0 || FCGX_InitRequest(&r, 0, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&r) >= 0) {
		(void)FCGX_PutStr(resp, (int)sizeof(resp) - 1, r.out);
		FCGX_Finish_r(&r);
	}
	return 0;
}
