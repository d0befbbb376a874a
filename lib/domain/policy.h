#ifndef LK_POLICY_H
#define LK_POLICY_H

#include <stddef.h>

#include "domain/config.h"

/*
 * What an account may be: the rules for emails, names and new passwords,
 * the same for the API and the tool.  Each check returns NULL when the
 * value is acceptable, else the reason, in words for the user (static
 * text, or a static buffer overwritten by the next call).
 */

#define LK_EMAIL_MAX		254
#define LK_NAME_MAX_BYTES	400

/* An email address: 3 to 254 bytes, one "@" not at either end, no spaces
 * or controls, well-formed UTF-8. */
const char *lk_policy_email(const char *email);

/*
 * A user's name: 1 to cfg->name_max characters of text (no controls), at
 * most LK_NAME_MAX_BYTES bytes, no leading or trailing space, and none of
 * the invisible characters that reorder or hide text (bidirectional
 * overrides, embeddings and isolates, directional marks).
 */
const char *lk_policy_name(const struct lk_config *cfg, const char *name,
	    size_t len);

/*
 * A new password: at least cfg->password_min characters, at most
 * LK_PASSWORD_MAX - 1 bytes, valid text, not the email, and not one of
 * the most common passwords (compared without regard to ASCII case).
 */
const char *lk_policy_password(const struct lk_config *cfg,
	    const char *password, size_t len, const char *email);

#endif
