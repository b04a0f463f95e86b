#include "cmd/wott-server/user_commands.h"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "base/encoding.h"
#include "server/password_hash.h"
#include "store/account_rules.h"

namespace wott::cmd {
namespace {

constexpr int kBadInput = 2;

// Prints the error; 2 for bad input, 1 for everything else.
int Fail(const Status& status) {
  PrintError(status);
  return status.code() == StatusCode::kInvalidArgument ? kBadInput : 1;
}

// One line from stdin with the trailing "\n" (and "\r") removed; echo off when `hidden`.
Result<std::string> ReadLine(bool hidden) {
  termios saved{};
  const bool restore = hidden && tcgetattr(STDIN_FILENO, &saved) == 0;
  if (restore) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string line;
  const bool got = static_cast<bool>(std::getline(std::cin, line));
  if (restore) {
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    std::cerr << "\n";
  }
  if (!got && line.empty()) return InvalidArgument("no password given on standard input");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// The new password: the first line of stdin when it is not a terminal, else typed twice
// without echo. Checked against the password rules (kInvalidArgument).
Result<std::string> ReadNewPassword(const std::string& user) {
  std::string password;
  if (!isatty(STDIN_FILENO)) {
    ASSIGN_OR_RETURN(password, ReadLine(false));
  } else {
    std::cerr << "New password for " << user << ": " << std::flush;
    ASSIGN_OR_RETURN(password, ReadLine(true));
    std::cerr << "Repeat it: " << std::flush;
    ASSIGN_OR_RETURN(std::string again, ReadLine(true));
    if (again != password) return InvalidArgument("the two passwords differ");
  }
  RETURN_IF_ERROR(server::CheckNewPassword(password));
  return password;
}

int RunAdd(const GlobalFlags& global, const std::string& name) {
  if (Status s = store::ValidateUserName(name); !s.ok()) return Fail(s);
  Result<std::unique_ptr<store::Store>> store = OpenRegistry(global);
  if (!store.ok()) return Fail(store.status());
  // Refuse a taken name before asking for a password.
  if ((*store)->GetUser(name).ok()) return Fail(AlreadyExists("user " + name + " exists"));
  Result<std::string> password = ReadNewPassword(name);
  if (!password.ok()) return Fail(password.status());
  Result<std::string> hash = server::HashPassword(*password);
  if (!hash.ok()) return Fail(hash.status());
  Result<store::UserRecord> user =
      (*store)->CreateUser({name, *hash}, "cli", RealClock::Instance().Now());
  if (!user.ok()) return Fail(user.status());
  std::cerr << "user " << name << " added; they can log in to the dashboard\n";
  return 0;
}

int RunList(const GlobalFlags& global, bool json) {
  Result<std::unique_ptr<store::Store>> store = OpenRegistry(global);
  if (!store.ok()) return Fail(store.status());
  Result<std::vector<store::UserRecord>> users = (*store)->ListUsers();
  if (!users.ok()) return Fail(users.status());
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const store::UserRecord& u : *users) {
      out.push_back({{"name", u.name},
                     {"created_at", FormatRfc3339(u.created_at)},
                     {"password_changed_at", FormatRfc3339(u.password_changed_at)}});
    }
    std::cout << nlohmann::json{{"users", out}}.dump(2) << "\n";
    return 0;
  }
  std::printf("%-24s %-21s %s\n", "NAME", "CREATED", "PASSWORD CHANGED");
  for (const store::UserRecord& u : *users) {
    std::printf("%-24s %-21s %s\n", u.name.c_str(), FormatRfc3339(u.created_at).c_str(),
                FormatRfc3339(u.password_changed_at).c_str());
  }
  return 0;
}

int RunDelete(const GlobalFlags& global, const std::string& name) {
  if (Status s = store::ValidateUserName(name); !s.ok()) return Fail(s);
  Result<std::unique_ptr<store::Store>> store = OpenRegistry(global);
  if (!store.ok()) return Fail(store.status());
  if (Status s = (*store)->DeleteUser(name, "cli", RealClock::Instance().Now()); !s.ok()) {
    return Fail(s);
  }
  std::cerr << "user " << name << " deleted; their sessions are ended\n";
  return 0;
}

int RunPasswd(const GlobalFlags& global, const std::string& name) {
  if (Status s = store::ValidateUserName(name); !s.ok()) return Fail(s);
  Result<std::unique_ptr<store::Store>> store = OpenRegistry(global);
  if (!store.ok()) return Fail(store.status());
  if (Result<store::UserRecord> user = (*store)->GetUser(name); !user.ok()) {
    return Fail(user.status());
  }
  Result<std::string> password = ReadNewPassword(name);
  if (!password.ok()) return Fail(password.status());
  Result<std::string> hash = server::HashPassword(*password);
  if (!hash.ok()) return Fail(hash.status());
  if (Status s = (*store)->SetUserPassword(name, *hash, "cli", RealClock::Instance().Now());
      !s.ok()) {
    return Fail(s);
  }
  std::cerr << "password of " << name << " changed; their sessions are ended\n";
  return 0;
}

}  // namespace

void AddUserCommands(CLI::App& app, GlobalFlags& global) {
  CLI::App* user = app.add_subcommand("user", "Manage dashboard users");
  user->require_subcommand(1);
  const char* kPasswordHelp =
      "The password (at least 12 characters) is read from standard input (its first line) "
      "when that is not a terminal, else prompted for twice without echo.";

  auto name = std::make_shared<std::string>();
  CLI::App* add = user->add_subcommand("add", "Add a dashboard user");
  add->footer(kPasswordHelp);
  add->add_option("NAME", *name, "User name: [a-z0-9][a-z0-9._-]{0,63}")->required();
  add->callback([&global, name] { global.exit_code = RunAdd(global, *name); });

  auto json = std::make_shared<bool>(false);
  CLI::App* list = user->add_subcommand("list", "List dashboard users (never their hashes)");
  list->add_flag("--json", *json, "Machine-readable output");
  list->callback([&global, json] { global.exit_code = RunList(global, *json); });

  auto del_name = std::make_shared<std::string>();
  CLI::App* del = user->add_subcommand("delete", "Delete a user and end their sessions");
  del->add_option("NAME", *del_name, "User name")->required();
  del->callback([&global, del_name] { global.exit_code = RunDelete(global, *del_name); });

  auto pw_name = std::make_shared<std::string>();
  CLI::App* passwd = user->add_subcommand("passwd", "Set a user's password and end their sessions");
  passwd->footer(kPasswordHelp);
  passwd->add_option("NAME", *pw_name, "User name")->required();
  passwd->callback([&global, pw_name] { global.exit_code = RunPasswd(global, *pw_name); });
}

}  // namespace wott::cmd
