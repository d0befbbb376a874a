/*
 * noopauth.fcgi: a FastCGI authorizer that grants every request, reading
 * and deciding nothing, built with the same flags as latchkey's programs:
 * `make bench` serves the same static file behind it and behind
 * authorize.fcgi, so that the difference is the authorizer's own work.
 */
#include <fcgiapp.h>

int	main(void);

int
main(void)
{
	static const char	resp[] = "Status: 200 OK\r\n\r\n";
	FCGX_Request		r;

	if (FCGX_Init() != 0 || FCGX_InitRequest(&r, 0, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&r) >= 0) {
		(void)FCGX_PutStr(resp, (int)sizeof(resp) - 1, r.out);
		FCGX_Finish_r(&r);
	}
	return 0;
}
