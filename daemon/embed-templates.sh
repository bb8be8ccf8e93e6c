#!/bin/sh
# Writes C source holding each file of the folder $1 as a string, so the
# daemon carries etc/templates' texts without a second copy to keep.
set -e
echo '/* Generated from etc/templates by daemon/embed-templates.sh. */'
echo '#include "template.h"'
echo 'const struct template_builtin template_builtins[] = {'
for f in "$1"/*.*; do
	printf '\t{ "%s", "' "$(basename "$f")"
	od -An -v -tx1 "$f" | tr -d ' \n' | sed 's/\(..\)/\\x\1/g'
	printf '" },\n'
done
echo '	{ NULL, NULL }'
echo '};'
