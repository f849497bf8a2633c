/* jsoncmp: compares two JSON documents by meaning (for golden tests).
 * Objects compare as key sets (order ignored), arrays in order, numbers
 * numerically (14 equals 14.0; |a - b| <= 1e-6). Prints every difference
 * with its JSON path. Usage: jsoncmp [--ignore KEY] EXPECTED ACTUAL; exit 0
 * when equal. --ignore drops an object key wherever it appears in ACTUAL
 * (e.g. the explanation "trace", to check --explain changes no result). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

static int ndiff;
static const char *ignored;

static void diff(const char *path, const char *what)
{
	if (ndiff++ < 20)
		fprintf(stderr, "  %s: %s\n", path[0] ? path : "(root)", what);
}

static void describe(const cJSON *v, char *buf, size_t n)
{
	char *s = cJSON_PrintUnformatted(v);
	snprintf(buf, n, "%.120s", s ? s : "?");
	free(s);
}

static void compare(const cJSON *e, const cJSON *a, const char *path)
{
	char msg[400], eb[150], ab[150], sub[1024];
	if (cJSON_IsNumber(e) && cJSON_IsNumber(a)) {
		if (fabs(e->valuedouble - a->valuedouble) > 1e-6) {
			snprintf(msg, sizeof(msg), "expected %.10g, got %.10g", e->valuedouble,
				 a->valuedouble);
			diff(path, msg);
		}
		return;
	}
	if ((e->type & 0xFF) != (a->type & 0xFF) &&
	    !(cJSON_IsBool(e) && cJSON_IsBool(a))) {
		describe(e, eb, sizeof(eb));
		describe(a, ab, sizeof(ab));
		snprintf(msg, sizeof(msg), "expected %s, got %s", eb, ab);
		diff(path, msg);
		return;
	}
	if (cJSON_IsBool(e)) {
		if (cJSON_IsTrue(e) != cJSON_IsTrue(a))
			diff(path, cJSON_IsTrue(e) ? "expected true, got false"
						   : "expected false, got true");
	} else if (cJSON_IsString(e)) {
		if (strcmp(e->valuestring, a->valuestring) != 0) {
			snprintf(msg, sizeof(msg), "expected \"%.150s\", got \"%.150s\"",
				 e->valuestring, a->valuestring);
			diff(path, msg);
		}
	} else if (cJSON_IsArray(e)) {
		int ne = cJSON_GetArraySize(e), na = cJSON_GetArraySize(a);
		if (ne != na) {
			snprintf(msg, sizeof(msg), "expected %d elements, got %d", ne, na);
			diff(path, msg);
		}
		for (int i = 0; i < ne && i < na; i++) {
			snprintf(sub, sizeof(sub), "%s[%d]", path, i);
			compare(cJSON_GetArrayItem(e, i), cJSON_GetArrayItem(a, i), sub);
		}
	} else if (cJSON_IsObject(e)) {
		const cJSON *k;
		cJSON_ArrayForEach(k, e) {
			snprintf(sub, sizeof(sub), "%s%s%s", path, path[0] ? "." : "", k->string);
			const cJSON *av = cJSON_GetObjectItemCaseSensitive(a, k->string);
			if (av == NULL)
				diff(sub, "missing");
			else
				compare(k, av, sub);
		}
		cJSON_ArrayForEach(k, a) {
			if (ignored && strcmp(k->string, ignored) == 0)
				continue;
			if (cJSON_GetObjectItemCaseSensitive(e, k->string) == NULL) {
				snprintf(sub, sizeof(sub), "%s%s%s", path, path[0] ? "." : "", k->string);
				diff(sub, "unexpected key");
			}
		}
	}
}

static cJSON *load(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "jsoncmp: cannot open %s\n", path);
		return NULL;
	}
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	size_t got;
	while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (cap - n < 2) {
			char *nb = realloc(buf, cap * 2);
			if (nb == NULL) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	fclose(f);
	if (buf == NULL)
		return NULL;
	buf[n] = '\0';
	cJSON *j = cJSON_Parse(buf);
	free(buf);
	if (j == NULL)
		fprintf(stderr, "jsoncmp: %s is not valid JSON\n", path);
	return j;
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "--ignore") == 0) {
		ignored = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: jsoncmp [--ignore KEY] EXPECTED ACTUAL\n");
		return 2;
	}
	cJSON *e = load(argv[1]), *a = load(argv[2]);
	int rc = 2;
	if (e && a) {
		compare(e, a, "");
		if (ndiff > 20)
			fprintf(stderr, "  ... %d differences in all\n", ndiff);
		rc = ndiff ? 1 : 0;
	}
	cJSON_Delete(e);
	cJSON_Delete(a);
	return rc;
}
