#ifndef LK_POLICY_H
#define LK_POLICY_H

#include <stddef.h>

#include "config.h"

/*
 * What a new password must be: at least password_min characters, at most
 * LK_PASSWORD_MAX - 1 bytes, valid text, not the email, and not one of
 * the most common passwords (compared without regard to ASCII case).
 * Returns NULL if acceptable, else the reason, for the user.
 */
const char *lk_policy_password(const struct lk_config *cfg,
	    const char *password, size_t len, const char *email);

#endif
