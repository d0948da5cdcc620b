/*
 * cmd_vault.c — `intake init` and `intake user ...`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "outsafe.h"
#include "secret.h"
#include "vault.h"

#define DEFAULT_KDF_MEM_MIB 64
#define KDF_TARGET_MS 500

int
cmd_init(struct cli *c)
{
	char err[256] = "", namebuf[VAULT_USER_MAX * 4 + 1];
	struct vault_kdf kdf = { c->kdf_ops, c->kdf_mem ? c->kdf_mem : DEFAULT_KDF_MEM_MIB };
	struct secret *name = NULL, *pass = NULL;
	struct vault *v = NULL;
	const char *user = c->as != NULL ? c->as : c->user;
	enum status st;
	int rc = EXIT_OK;

	if (c->argc != 0) {
		fprintf(stderr, "intake: init takes no arguments (use --vault DIR)\n");
		return EXIT_USAGE;
	}
	if (user == NULL) {
		name = secret_read_tty("Name of the first supervisor: ", 1, err, sizeof err);
		if (name == NULL)
			return cli_fail(ST_INVALID, strstr(err, "no terminal") ?
			    "no terminal to ask on: give the supervisor with --user NAME" : err);
		if (name->len >= sizeof namebuf) {
			secret_free(name);
			return cli_fail(ST_INVALID, "user name too long");
		}
		memcpy(namebuf, name->buf, name->len + 1);
		secret_free(name);
		user = namebuf;
	}
	if (vault_check_user_name(user, err, sizeof err) != ST_OK)
		return cli_fail(ST_INVALID, err);
	if ((pass = cli_first_passphrase(c, user, &rc)) == NULL)
		return rc;
	if (kdf.ops == 0) {
		fprintf(stderr, "Measuring this machine to set passphrase hardening "
		    "(Argon2id, %llu MiB)...\n", (unsigned long long)kdf.mem_mib);
		st = vault_kdf_calibrate(kdf.mem_mib, KDF_TARGET_MS, &kdf);
		if (st != ST_OK) {
			rc = cli_fail(st, "cannot calibrate the key derivation: use --kdf-ops N");
			goto out;
		}
	}
	if ((v = vault_new()) == NULL) {
		rc = cli_fail(ST_NOMEM, NULL);
		goto out;
	}
	vault_set_training(v, c->training);
	if (c->group != NULL && (st = vault_set_group(v, c->group)) != ST_OK) {
		rc = cli_fail(st == ST_NOTFOUND ? ST_INVALID : st, vault_errmsg(v));
		goto out;
	}
	st = vault_create(v, c->vault_dir, user, pass->buf, pass->len, &kdf);
	if (st != ST_OK) {
		rc = cli_fail(st, vault_errmsg(v));
		goto out;
	}
	printf("Created %svault ", c->training ? "training " : "");
	outsafe_put(stdout, c->vault_dir);
	printf(" with supervisor ");
	outsafe_put(stdout, user);
	printf(" (Argon2id: %llu ops, %llu MiB).\n", (unsigned long long)kdf.ops,
	    (unsigned long long)kdf.mem_mib);
	if (c->group != NULL)
		printf("Shared with group %s: directory 3770 (setgid, sticky), files 0660.\n", c->group);
out:
	secret_free(pass);
	vault_close(v);
	return rc;
}

static int
user_add(struct cli *c, struct vault *v)
{
	char err[256];
	struct secret *pass;
	enum role role;
	enum status st;
	int rc = EXIT_OK;

	if (c->argc != 2) {
		fprintf(stderr, "intake: usage: intake user add NAME --role ROLE\n");
		return EXIT_USAGE;
	}
	if (c->role == NULL || role_parse(c->role, &role) != ST_OK) {
		fprintf(stderr, "intake: user add needs --role supervisor, interviewer or trainer\n");
		return EXIT_USAGE;
	}
	if (vault_check_user_name(c->argv[1], err, sizeof err) != ST_OK)
		return cli_fail(ST_INVALID, err);
	if ((pass = cli_new_passphrase(c, c->argv[1], &rc)) == NULL)
		return rc;
	st = vault_user_add(v, c->argv[1], role, pass->buf, pass->len, NULL);
	secret_free(pass);
	if (st != ST_OK)
		return cli_fail(st, vault_errmsg(v));
	printf("Added ");
	outsafe_put(stdout, c->argv[1]);
	printf(" (%s).\n", role_name(role));
	return EXIT_OK;
}

static int
user_list(struct cli *c)
{
	struct vault_user *users;
	struct vault *v;
	size_t n;
	enum status st;
	int rc;

	if ((rc = cli_open(c, &v)) != EXIT_OK)
		return rc;
	st = vault_user_list(v, &users, &n);
	if (st != ST_OK) {
		rc = cli_fail(st, vault_errmsg(v));
		vault_close(v);
		return rc;
	}
	/* Names were checked when added; the table is data all the same. */
	for (size_t i = 0; i < n; i++) {
		outsafe_put(stdout, users[i].name);
		printf("\t%s%s\n", role_name(users[i].role),
		    users[i].pending ? "\tkeys sealed at the next unlock" : "");
	}
	free(users);
	vault_close(v);
	return EXIT_OK;
}

static int
user_remove(struct cli *c, struct vault *v)
{
	enum status st;

	if (c->argc != 2) {
		fprintf(stderr, "intake: usage: intake user remove NAME\n");
		return EXIT_USAGE;
	}
	st = vault_user_remove_flags(v, c->argv[1], c->rekey ? VAULT_REKEY : 0);
	if (st != ST_OK)
		return cli_fail(st, vault_errmsg(v));
	printf("Removed ");
	outsafe_put(stdout, c->argv[1]);
	printf(".\n");
	return EXIT_OK;
}

static int
user_passwd(struct cli *c, struct vault *v)
{
	const char *who = c->argc == 2 ? c->argv[1] : vault_user(v);
	struct secret *pass;
	enum status st;
	int rc = EXIT_OK;

	if (c->argc > 2) {
		fprintf(stderr, "intake: usage: intake user passwd [NAME]\n");
		return EXIT_USAGE;
	}
	if ((pass = cli_new_passphrase(c, who, &rc)) == NULL)
		return rc;
	st = vault_user_passwd_flags(v, who, pass->buf, pass->len, c->rekey ? VAULT_REKEY : 0);
	secret_free(pass);
	if (st != ST_OK)
		return cli_fail(st, vault_errmsg(v));
	printf("Changed the passphrase of ");
	outsafe_put(stdout, who);
	printf(".\n");
	return EXIT_OK;
}

int
cmd_user(struct cli *c)
{
	struct vault *v;
	const char *sub = c->argc > 0 ? c->argv[0] : "";
	int rc;

	if (strcmp(sub, "list") == 0)
		return user_list(c);
	if (strcmp(sub, "add") != 0 && strcmp(sub, "remove") != 0 &&
	    strcmp(sub, "passwd") != 0) {
		fprintf(stderr, "intake: usage: intake user add|list|remove|passwd ...\n");
		return EXIT_USAGE;
	}
	if ((rc = cli_open_unlocked(c, &v)) != EXIT_OK)
		return rc;
	if (strcmp(sub, "add") == 0)
		rc = user_add(c, v);
	else if (strcmp(sub, "remove") == 0)
		rc = user_remove(c, v);
	else
		rc = user_passwd(c, v);
	vault_close(v);
	return rc;
}

/* intake upgrade: the vault, of format 1, becomes format 2 (vault_upgrade). */
int
cmd_upgrade(struct cli *c)
{
	struct vault *v;
	enum status st;
	int rc;

	if (c->argc != 0) {
		fprintf(stderr, "intake: usage: intake upgrade\n");
		return EXIT_USAGE;
	}
	if ((rc = cli_open_unlocked(c, &v)) != EXIT_OK)
		return rc;
	st = vault_upgrade(v);
	if (st != ST_OK)
		rc = cli_fail(st, vault_errmsg(v));
	else
		printf("Upgraded the vault to format 2: every user has their own keys, sealed "
		    "under their passphrase at their next unlock (see `intake user list`).\n");
	vault_close(v);
	return rc;
}
