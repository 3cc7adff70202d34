// admin_cli.h: `switchboardd admin ...` (admin_cli.cpp), the command line over admin.h. main.cpp
// hands it the arguments after "admin".
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace sbd {

// Runs one admin command; returns the exit status (0 done, 1 refused or failed, 2 bad usage).
// Passwords come from `in` (asked twice without echo when standard input is a terminal).
int run_admin(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err);

std::string admin_usage();

}  // namespace sbd
