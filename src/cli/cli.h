/* cli: the `xuefen` command table and the subcommands' entry points.
 * Exit status: 0 success, 1 bad input or failure, 2 bad command usage. */
#ifndef XF_CLI_CLI_H
#define XF_CLI_CLI_H

#include <stdbool.h>

#define XF_EXIT_OK 0
#define XF_EXIT_INPUT 1
#define XF_EXIT_USAGE 2

#define XF_VERSION "0.1.0"

typedef struct xf_command {
	const char *name;
	const char *summary;     /* one line, Chinese (English) */
	int (*run)(int argc, char **argv);
	void (*help)(void);
} xf_command;

int cmd_assess(int argc, char **argv);
void cmd_assess_help(void);
int cmd_policy(int argc, char **argv);
void cmd_policy_help(void);
int cmd_init(int argc, char **argv);
void cmd_init_help(void);
int cmd_export(int argc, char **argv);
void cmd_export_help(void);
int cmd_import(int argc, char **argv);
void cmd_import_help(void);
int cmd_check(int argc, char **argv);
void cmd_check_help(void);
int cmd_backup(int argc, char **argv);
int cmd_restore(int argc, char **argv);
void cmd_backup_help(void);
int cmd_user(int argc, char **argv);
void cmd_user_help(void);
int cmd_serve(int argc, char **argv);
void cmd_serve_help(void);
int cmd_calendar(int argc, char **argv);
void cmd_calendar_help(void);
int cmd_publish(int argc, char **argv);
void cmd_publish_help(void);
int cmd_archive(int argc, char **argv);
void cmd_archive_help(void);
int cmd_publications(int argc, char **argv);
void cmd_publications_help(void);
int cmd_evidence(int argc, char **argv);
void cmd_evidence_help(void);

struct xf_store;
/* When the store has no user and standard input is a terminal, asks for
 * the first admin's name and password (twice, not echoed) and creates the
 * account. Returns 0 (created, or nothing to do), -1 after printing why. */
int cli_first_admin_prompt(struct xf_store *s);

/* The database URL: the --db value when given, else $XUEFEN_DB, else
 * "xuefen.db" in the working directory. */
const char *cli_db_url(const char *given);

/* True when argv[i] is -h or --help. */
int cli_is_help(const char *arg);

#endif
