#include "status.h"

static const char *const status_text[] = {
#define STATUS_TEXT(name, text) [name] = text,
	STATUS_LIST(STATUS_TEXT)
#undef STATUS_TEXT
};

const char *
status_str(enum status st)
{
	if ((unsigned)st >= ST__COUNT)
		return "unknown status";
	return status_text[st];
}
