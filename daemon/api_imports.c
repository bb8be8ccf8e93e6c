/*
 * /v1/imports: an iCalendar file sent in parts, each a request body
 * under the configured limit (base64 in JSON), then started; the import
 * runs on the loop in slices (import.c) and is followed with GET.  The
 * daemon never opens a path a caller names.
 */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "import.h"
#include "practiced.h"

static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Standard base64 (with '=' padding) into out; -1 if it is not. */
static int
b64_decode(const char *s, size_t len, unsigned char *out, size_t *outlen)
{
	size_t		 i, n = 0;
	unsigned int	 acc = 0;
	int		 bits = 0, v, pad = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '=') {
			pad++;
			continue;
		}
		if (pad > 0 || (v = b64_value((unsigned char)s[i])) == -1)
			return -1;
		acc = (acc << 6) | (unsigned int)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	if (pad > 2 || (len % 4) != 0)
		return -1;
	*outlen = n;
	return 0;
}

static int
import_arg(struct api_req *req, int *id)
{
	long long	 n;

	if (api_id(req, req->arg[0], &n) == -1)
		return -1;
	*id = n > IMPORT_ID_MAX ? 0 : (int)n;
	return 0;
}

static void
import_reply(struct api_req *req, int status, int id)
{
	json_t	*obj;

	if ((obj = import_json(&req->ctx, id)) == NULL) {
		if (!ctx_failed(&req->ctx))
			api_internal(req);
		return;
	}
	if (status == 201)
		json_object_set_new(obj, PROTO_IMPORT_PART_MAX, json_integer(
		    (json_int_t)import_part_max(&req->ctx)));
	api_reply(req, status, obj);
}

/* POST /v1/imports {"clinician", "dry_run", "create_clients"} */
void
api_import_create(struct api_req *req)
{
	static const char *const fields[] = { "clinician", "dry_run",
	    "create_clients", NULL };
	struct import_opts	 o;
	int			 id;

	memset(&o, 0, sizeof(o));
	if (api_fields(req, fields) == -1 ||
	    api_ref(req, KIND_CLINICIAN, "clinician", 0,
	    &o.clinician_id) == -1 ||
	    api_bool(req, "dry_run", &o.dry_run) == -1 ||
	    api_bool(req, "create_clients", &o.create_clients) == -1)
		return;
	if (o.clinician_id != 0 &&
	    lookup_require_active(&req->ctx, KIND_CLINICIAN,
	    o.clinician_id) == -1)
		return;
	if (import_create(&req->ctx, &o, &id) == 0)
		import_reply(req, 201, id);
}

/* POST /v1/imports/ID/parts {"data": BASE64} */
void
api_import_part(struct api_req *req)
{
	static const char *const fields[] = { PROTO_IMPORT_DATA, NULL };
	json_t		*v;
	unsigned char	*raw;
	size_t		 len, rawlen = 0;
	int		 id;

	if (api_fields(req, fields) == -1 || import_arg(req, &id) == -1)
		return;
	v = json_object_get(req->body, PROTO_IMPORT_DATA);
	if (!json_is_string(v)) {
		api_error(req, PROTO_EBADREQUEST, "missing field \"%s\" (the "
		    "part, in base64)", PROTO_IMPORT_DATA);
		return;
	}
	len = json_string_length(v);
	if ((raw = malloc(len / 4 * 3 + 3)) == NULL) {
		api_internal(req);
		return;
	}
	if (b64_decode(json_string_value(v), len, raw, &rawlen) == -1)
		api_error(req, PROTO_EBADREQUEST, "%s is not base64",
		    PROTO_IMPORT_DATA);
	else if (import_append(&req->ctx, id, raw, rawlen) == 0)
		api_reply(req, 200, json_pack("{s:{s:i,s:I}}", PROTO_IMPORT,
		    "id", id, "received", (json_int_t)rawlen));
	free(raw);
}

/* POST /v1/imports/ID/start */
void
api_import_start(struct api_req *req)
{
	static const char *const fields[] = { NULL };
	int	 id;

	if (api_fields(req, fields) == -1 || import_arg(req, &id) == -1)
		return;
	if (import_start(&req->ctx, id) == 0)
		import_reply(req, 202, id);
}

/* GET /v1/imports/ID */
void
api_import_show(struct api_req *req)
{
	int	 id;

	if (import_arg(req, &id) == 0)
		import_reply(req, 200, id);
}
