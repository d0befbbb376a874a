#ifndef LK_GROUP_H
#define LK_GROUP_H

#include <stddef.h>

/*
 * Groups of users, as the administrator names them and the access rules
 * (lib/domain/rules.h) name them in group= subjects: one rule for what a
 * group's name and description may be, the same for the tool, the store's
 * callers and the rules file.
 */

#define LK_GROUP_NAME_MAX		64	/* characters (bytes) of a name */
#define LK_GROUP_DESCRIPTION_MAX	400	/* bytes of a description */

/*
 * Whether name is a group's name: 1 to LK_GROUP_NAME_MAX of a-z, 0-9,
 * '_', '.' and '-', the first a letter or digit (so a name is never an
 * option, a hidden file or a range, is the same in every collation, and
 * never holds the ',' that joins a user's groups in LATCHKEY_GROUPS).
 * Returns NULL if it is, else what is wrong with it, in words (the
 * character at fault, or the length), followed by the rule in
 * parentheses: static text, or a static buffer that the next call
 * overwrites.
 */
const char *lk_group_name_check(const char *name);

/*
 * A group's description: at most LK_GROUP_DESCRIPTION_MAX bytes of UTF-8
 * text without control characters ("" is fine).  NULL, or what is wrong.
 */
const char *lk_group_description_check(const char *text);

#endif
