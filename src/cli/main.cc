#include "cli/cli.h"

int main(int argc, char** argv) { return herald::cli::Run(argc, argv); }
