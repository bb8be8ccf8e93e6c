/* What the practice tells a client, and by which way. */
#ifndef PRACTICED_NOTICE_H
#define PRACTICED_NOTICE_H

enum notice {
	NOTICE_REMINDER,
	NOTICE_CONFIRMATION,
	NOTICE_RESCHEDULE,
	NOTICE_CANCELLATION,
	NOTICE_COUNT
};

enum channel {
	CHANNEL_EMAIL,
	CHANNEL_SMS,
	CHANNEL_COUNT
};

#endif
