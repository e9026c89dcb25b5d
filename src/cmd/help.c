/* npubench help: the list of commands, or one command's help. */
#include "npubench.h"

#include <stdio.h>
#include <string.h>

#include "util/util.h"

static int cmd_help(int argc, char **argv, struct nb_ctx *ctx)
{
	const struct nb_command *cmd;

	NB_UNUSED(ctx);
	if (argc > 2)
		return usage_error(&nb_cmd_help, "too many arguments");
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		command_help(&nb_cmd_help);
		return 0;
	}
	if (argc == 2) {
		cmd = command_find(argv[1]);
		if (!cmd)
		{
			struct nb_near nr;

			return usage_error(&nb_cmd_help, "'%s' is not a npubench command%s", argv[1],
					   command_near(&nr, argv[1]));
		}
		command_help(cmd);
		return 0;
	}
	printf("usage: npubench [--db PATH] [--profiles DIR] COMMAND [ARGS]\n"
	       "       npubench --version | --help\n\n"
	       "Benchmark AI-accelerator kernels on this host, predict them on emulated\n"
	       "chips, store the results in SQLite, and compare, plot and export them.\n\n"
	       "Commands:\n");
	for (int i = 0; i < nb_ncommands; i++)
		printf("  %-10s %s\n", nb_commands[i]->name, nb_commands[i]->summary);
	printf("\nGlobal options:\n"
	       "  --db PATH        the results database (also NPUBENCH_DB;\n"
	       "                   default $XDG_DATA_HOME/npubench/results.db)\n"
	       "  --profiles DIR   chip profile folders, colon separated (also NPUBENCH_PROFILES)\n"
	       "  --version        print the version and exit\n"
	       "  -h, --help       this help; 'npubench help COMMAND' or 'COMMAND --help' for one\n"
	       "\nExit status: 0 success, 1 failure, 2 usage error.  See npubench(1).\n");
	return 0;
}

const struct nb_command nb_cmd_help = {
	.name = "help",
	.exec = cmd_help,
	.usage = "help [COMMAND]",
	.summary = "Show the list of commands, or one command's help.",
	.help = "",
};
