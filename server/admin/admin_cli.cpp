// admin_cli.cpp: `switchboardd admin ...`, the command line of admin.h: reads the arguments, asks
// for a password (from a terminal without echo, else the first line of standard input) or
// generates one and prints it once, and says what changed. Its usage is admin_usage().
#include "server/admin/admin_cli.h"

#include <ctime>
#include <filesystem>
#include <iostream>
#include <optional>

#include <pwd.h>
#include <sodium.h>
#include <termios.h>
#include <unistd.h>

#include "server/admin/admin.h"
#include "server/store/demo_seed.h"
#include "server/app/options.h"

namespace sbd {

namespace {

int64_t wall_clock_ms() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

std::string os_user() {
    std::string name;
    if (passwd* pw = getpwuid(geteuid()); pw && pw->pw_name) name = pw->pw_name;
    else name = "uid " + std::to_string(geteuid());
    if (const char* sudo = std::getenv("SUDO_USER"); sudo && *sudo) name += " (sudo: " + std::string(sudo) + ")";
    return name;
}

std::string iso_time(int64_t ms) {
    std::time_t t = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (const std::string& x : v) s += (s.empty() ? "" : ",") + x;
    return s;
}

// One line from the terminal with echo off (the newline is echoed so the next prompt starts
// on its own line).
std::optional<std::string> read_hidden_line(std::istream& in, std::ostream& err, const std::string& prompt) {
    err << prompt << std::flush;
    termios old{};
    bool restore = tcgetattr(STDIN_FILENO, &old) == 0;
    if (restore) {
        termios quiet = old;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        quiet.c_lflag |= ECHONL;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    std::string line;
    bool got = static_cast<bool>(std::getline(in, line));
    if (restore) tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    if (!got) return std::nullopt;
    return line;
}

struct Password {
    std::string value;
    bool generated = false;
};

// The new password: generated (--generate-password), asked twice on a terminal, or the first
// line of standard input (a pipe: `printf '%s\n' "$PASSWORD" | switchboardd admin ...`).
sb::Result<Password> read_password(bool generate, const std::string& username, std::istream& in, std::ostream& err) {
    if (generate) return Password{generate_password(), true};
    if (isatty(STDIN_FILENO)) {
        auto first = read_hidden_line(in, err, "New password for " + username + ": ");
        if (!first) return sb::make_error("bad_option", "No password was entered.");
        if (auto st = check_password(*first); !st) return st.error();
        auto again = read_hidden_line(in, err, "The same password again: ");
        bool same = again && *again == *first;
        if (again) sodium_memzero(again->data(), again->size());
        if (!same) {
            sodium_memzero(first->data(), first->size());
            return sb::make_error("bad_option", "The two passwords differ; nothing changed.");
        }
        return Password{std::move(*first), false};
    }
    std::string line;
    if (!std::getline(in, line) || line.empty())
        return sb::make_error("bad_option",
                              "No password on standard input: pipe one line in, run it on a terminal to be asked, "
                              "or pass --generate-password.");
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return Password{std::move(line), false};
}

struct Parsed {
    std::string db_path;
    std::string command;
    std::vector<std::string> positional;
    std::optional<std::string> name, role, skills, queues;
    bool generate_password = false;
    bool help = false;
};

sb::Result<Parsed> parse(const std::vector<std::string>& args) {
    Parsed p;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&]() -> sb::Result<std::string> {
            if (i + 1 >= args.size()) return sb::make_error("bad_option", a + " needs a value");
            return args[++i];
        };
        if (a == "--help" || a == "-h") {
            p.help = true;
        } else if (a == "--generate-password") {
            p.generate_password = true;
        } else if (a == "--password" || a.rfind("--password=", 0) == 0) {
            return sb::make_error("bad_option",
                                  "Passwords are never taken on the command line (other users can read it, the shell "
                                  "keeps it): pipe it on standard input, type it when asked, or --generate-password.");
        } else if (a == "--db" || a == "--name" || a == "--role" || a == "--skills" || a == "--queues") {
            auto v = value();
            if (!v) return v.error();
            if (a == "--db") p.db_path = v.value();
            else if (a == "--name") p.name = v.value();
            else if (a == "--role") p.role = v.value();
            else if (a == "--skills") p.skills = v.value();
            else p.queues = v.value();
        } else if (a.size() > 1 && a[0] == '-') {
            return sb::make_error("bad_option", "unknown option " + a);
        } else if (p.command.empty()) {
            p.command = a;
        } else {
            p.positional.push_back(a);
        }
    }
    if (p.db_path.empty()) p.db_path = default_db_path();
    return p;
}

struct Command {
    const char* name;
    std::size_t arguments;  // positional, after the command
};
const Command kCommands[] = {{"list", 0},        {"add-agent", 1},  {"disable", 1},    {"enable", 1},
                             {"reset-password", 1}, {"reset-mfa", 1}, {"set-role", 2},  {"set-skills", 2},
                             {"set-queues", 2}};

// "1 session" / "3 sessions"
std::string sessions_text(int64_t n) { return std::to_string(n) + (n == 1 ? " session" : " sessions"); }

// After a change that may have taken the last one away: a warning, not a refusal (the change
// may be exactly what is wanted, and add-agent --role supervisor makes another).
void warn_if_no_supervisor(Store& store, std::ostream& err) {
    auto any = store.has_enabled_supervisor();
    if (any && !any.value())
        err << "switchboardd admin: note: no enabled supervisor is left; nobody can read the audit log until "
               "set-role or add-agent --role supervisor makes one.\n";
}

int fail(std::ostream& err, const sb::Error& e) {
    err << "switchboardd admin: " << e.message << " (" << e.code << ")\n";
    return 1;
}

int list(AccountAdmin& admin, std::ostream& out, std::ostream& err) {
    auto accounts = admin.list();
    if (!accounts) return fail(err, accounts.error());
    if (accounts.value().empty()) {
        out << "No agents yet. Add the first supervisor:\n  switchboardd admin add-agent USERNAME --name \"Full Name\" "
               "--role supervisor\n";
        return 0;
    }
    out << "username\trole\tstatus\tsecond factor\tskills\tname\n";
    for (const AccountRecord& a : accounts.value()) {
        std::string status = a.disabled_at ? "disabled since " + iso_time(*a.disabled_at) : "enabled";
        std::string mfa = a.mfa_enrolled ? "enrolled" : "not enrolled";
        if (a.mfa_policy != "default") mfa += " (policy " + a.mfa_policy + ")";
        out << a.username << '\t' << a.role << '\t' << status << '\t' << mfa << '\t'
            << (a.skills.empty() ? "-" : join(a.skills)) << '\t' << a.display_name << '\n';
    }
    return 0;
}

}  // namespace

std::string admin_usage() {
    return "usage: switchboardd admin [--db PATH|URI] COMMAND ...\n"
           "\n"
           "Agents' accounts, without SQL (docs/operations.md, \"Accounts\"). Each change is recorded in the audit log\n"
           "(actor \"admin\"). Works whether or not switchboardd is running on the same database; a running one\n"
           "signs out, within a second, the sessions a change ends.\n"
           "\n"
           "  list                          every agent: role, enabled or disabled, second factor, skills\n"
           "  add-agent USERNAME --name \"FULL NAME\" [--role agent|supervisor] [--skills A,B] [--queues Q1,Q2]\n"
           "                                [--generate-password]\n"
           "                                a new agent (role agent by default) with a password (below); --queues\n"
           "                                gives the skills those queues need\n"
           "  disable USERNAME              the agent can no longer sign in or resume (account_disabled); their\n"
           "                                sessions end at once and they go offline\n"
           "  enable USERNAME               the agent can sign in again (also forgets failed logins and a lock)\n"
           "  reset-password USERNAME [--generate-password]\n"
           "                                a new password; the agent's sessions end, failed logins and a lock are\n"
           "                                forgotten\n"
           "  reset-mfa USERNAME            forgets the agent's authenticator app and recovery codes: they enroll again\n"
           "                                at their next sign-in (where their policy asks for a second factor)\n"
           "  set-role USERNAME agent|supervisor   supervisors read the audit log\n"
           "  set-skills USERNAME A,B       replaces the agent's skills (\"\" for none)\n"
           "  set-queues USERNAME Q1,Q2     the agent takes exactly these queues' contacts: the skills of the other\n"
           "                                queues go, these queues' skills come; other skills stay\n"
           "\n"
           "  --db PATH|URI                 the database (default: switchboardd's, $XDG_DATA_HOME/switchboard/\n"
           "                                switchboard.db, else ~/.local/share/switchboard/switchboard.db), or\n"
           "                                postgresql://USER@HOST:PORT/DBNAME (password from PGPASSFILE)\n"
           "\n"
           "Passwords are never taken on the command line. On a terminal you are asked twice (nothing is shown);\n"
           "otherwise the first line of standard input is the password (printf '%s\\n' \"$PW\" | switchboardd admin\n"
           "reset-password alice). --generate-password makes a random one and prints it once. At least 12\n"
           "characters.\n"
           "\n"
           "Exit status: 0 done, 1 refused or failed (the reason on stderr), 2 a bad command line.\n";
}

int run_admin(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err) {
    auto parsed = parse(args);
    if (!parsed) {
        err << "switchboardd admin: " << parsed.error().message << "\n\n" << admin_usage();
        return 2;
    }
    Parsed& p = parsed.value();
    if (p.help || p.command.empty()) {
        (p.help ? out : err) << admin_usage();
        return p.help ? 0 : 2;
    }
    const Command* command = nullptr;
    for (const Command& c : kCommands)
        if (p.command == c.name) command = &c;
    if (!command || p.positional.size() != command->arguments) {
        err << "switchboardd admin: " << (command ? p.command + ": wrong number of arguments" : "unknown command " + p.command)
            << "\n\n" << admin_usage();
        return 2;
    }
    bool adds = p.command == "add-agent";
    if ((p.name || p.role || p.skills || p.queues) && !adds) {
        err << "switchboardd admin: --name, --role, --skills and --queues go with add-agent\n";
        return 2;
    }
    if (p.generate_password && !adds && p.command != "reset-password") {
        err << "switchboardd admin: --generate-password goes with add-agent and reset-password\n";
        return 2;
    }
    if (adds && !p.name) {
        err << "switchboardd admin: add-agent needs --name \"FULL NAME\"\n";
        return 2;
    }

    if (sodium_init() < 0) return fail(err, sb::make_error("internal", "libsodium failed to initialise"));
    std::error_code ec;
    // Only add-agent creates a database (the first supervisor, before the server's first start):
    // any other command on a path that does not exist is a mistyped --db, not an empty one.
    // (A PostgreSQL database is made by its administrator; an empty one is migrated here.)
    const bool postgres = Database::is_postgres(p.db_path);
    if (auto why = postgres_uri_problem(p.db_path); !why.empty()) return fail(err, sb::make_error("bad_option", why));
    if (!postgres && !adds && !std::filesystem::exists(p.db_path, ec))
        return fail(err, sb::make_error("no_database", "There is no database at " + p.db_path +
                                                           " (switchboardd, or add-agent, creates it; see --db)."));
    auto dir = postgres ? std::filesystem::path() : std::filesystem::path(p.db_path).parent_path();
    if (!dir.empty()) std::filesystem::create_directories(dir, ec);
    auto store = Store::open(p.db_path);  // creates and migrates, as switchboardd does
    if (!store) return fail(err, store.error());
    // The queues, for --queues and set-queues, before switchboardd ever ran (demo_seed.h).
    if (auto seeded = seed_starter_configuration(*store.value()); !seeded) return fail(err, seeded.error());
    AuditLog audit(store.value()->database());
    AccountAdmin admin({*store.value(), audit, wall_clock_ms, os_user()});

    const std::string user = p.positional.empty() ? std::string() : p.positional[0];
    if (p.command == "list") return list(admin, out, err);

    if (adds) {
        AccountAdmin::NewAccount account;
        account.username = user;
        account.display_name = *p.name;
        account.role = p.role.value_or("agent");
        if (p.skills) {
            auto skills = parse_name_list(*p.skills, "skills");
            if (!skills) return fail(err, skills.error());
            account.skills = skills.value();
        }
        if (p.queues) {
            auto queues = parse_name_list(*p.queues, "queues");
            if (!queues) return fail(err, queues.error());
            account.queues = queues.value();
        }
        // Everything but the password first: nobody types one for a command that cannot work.
        if (auto st = check_username(account.username); !st) return fail(err, st.error());
        if (auto st = check_display_name(account.display_name); !st) return fail(err, st.error());
        if (auto st = check_role(account.role); !st) return fail(err, st.error());
        if (auto found = store.value()->account(user); !found || found.value())
            return fail(err, found ? sb::make_error("agent_exists", "There already is an agent \"" + user + "\".")
                                   : found.error());
        auto password = read_password(p.generate_password, user, in, err);
        if (!password) return fail(err, password.error());
        account.password = std::move(password.value().value);
        account.password_generated = password.value().generated;
        auto st = admin.add_agent(account);
        std::string shown = account.password;
        sodium_memzero(account.password.data(), account.password.size());
        if (!st) return fail(err, st.error());
        auto created = store.value()->account(user);
        out << "Added " << account.role << " " << user << " (" << account.display_name << ")";
        if (created && created.value() && !created.value()->skills.empty())
            out << " with skills " << join(created.value()->skills);
        out << ".\n";
        if (account.password_generated)
            out << "Password for " << user << " (shown once; hand it over privately): " << shown << "\n";
        sodium_memzero(shown.data(), shown.size());
        out << "At the first sign-in " << user
            << " sets up an authenticator app where the second factor is required (switchboardd --mfa, default "
               "required).\n";
        return 0;
    }
    if (p.command == "disable") {
        auto ended = admin.disable(user);
        if (!ended) return fail(err, ended.error());
        out << "Disabled " << user << ": they can no longer sign in; " << sessions_text(ended.value()) << " ended.\n";
        warn_if_no_supervisor(*store.value(), err);
        return 0;
    }
    if (p.command == "enable") {
        if (auto st = admin.enable(user); !st) return fail(err, st.error());
        out << "Enabled " << user << ": they can sign in again.\n";
        return 0;
    }
    if (p.command == "reset-password") {
        if (auto found = store.value()->account(user); !found || !found.value())
            return fail(err, found ? sb::make_error("unknown_agent", "There is no agent \"" + user + "\".") : found.error());
        auto password = read_password(p.generate_password, user, in, err);
        if (!password) return fail(err, password.error());
        auto ended = admin.reset_password(user, password.value().value, password.value().generated);
        std::string shown = password.value().value;
        sodium_memzero(password.value().value.data(), password.value().value.size());
        if (!ended) return fail(err, ended.error());
        out << "New password set for " << user << "; " << sessions_text(ended.value()) << " ended.\n";
        if (password.value().generated)
            out << "Password for " << user << " (shown once; hand it over privately): " << shown << "\n";
        sodium_memzero(shown.data(), shown.size());
        return 0;
    }
    if (p.command == "reset-mfa") {
        if (auto st = admin.reset_mfa(user); !st) return fail(err, st.error());
        out << "Second factor reset for " << user << ": they set up an authenticator app again at their next sign-in.\n";
        return 0;
    }
    const std::string& value = p.positional[1];
    if (p.command == "set-role") {
        if (auto st = admin.set_role(user, value); !st) return fail(err, st.error());
        out << user << " is now " << (value == "agent" ? "an agent" : "a supervisor") << ".\n";
        warn_if_no_supervisor(*store.value(), err);
        return 0;
    }
    auto names = parse_name_list(value, p.command == "set-skills" ? "skills" : "queues");
    if (!names) return fail(err, names.error());
    auto st = p.command == "set-skills" ? admin.set_skills(user, names.value()) : admin.set_queues(user, names.value());
    if (!st) return fail(err, st.error());
    auto after = store.value()->account(user);
    out << user << "'s skills: "
        << (after && after.value() && !after.value()->skills.empty() ? join(after.value()->skills) : "none") << ".\n";
    return 0;
}

}  // namespace sbd
