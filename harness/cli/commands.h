/* Entry points of the subcommands (one cmd_<name>.c each). */
#ifndef OPUSHUNT_COMMANDS_H
#define OPUSHUNT_COMMANDS_H

#include <stdio.h>

int oh_cmd_decode(int argc, char **argv);
void oh_cmd_decode_usage(FILE *f);
int oh_cmd_triage(int argc, char **argv);
void oh_cmd_triage_usage(FILE *f);
int oh_cmd_replay(int argc, char **argv);
void oh_cmd_replay_usage(FILE *f);
int oh_cmd_corpus(int argc, char **argv);
void oh_cmd_corpus_usage(FILE *f);
int oh_cmd_fuzz(int argc, char **argv);
void oh_cmd_fuzz_usage(FILE *f);

#endif
