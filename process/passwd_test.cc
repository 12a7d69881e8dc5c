#include "process/passwd.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace claw {
namespace {

// The same database the fixture tests/fixtures/passwd/basic holds, inline so
// the pure tests need no files.
const char* const kPasswd =
    "# comment\n"
    "root:x:0:0:root:/root:/bin/bash\n"
    "\n"
    "   # indented comment\n"
    "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
    "openclaw:x:1000:1000:OpenClaw:/home/openclaw:/bin/sh\n"
    "openclaw:x:2000:2000:duplicate:/home/dup:/bin/sh\n"
    "second1000:x:1000:7:same uid, later:/home/s:/bin/sh\n"
    "nohome:x:1500:1500:::/bin/sh\n"
    "digits:x:42:42::/d:/bin/sh\n";

const char* const kGroup =
    "root:x:0:\n"
    "staff:x:50:openclaw,someone\n"
    "nogroup:x:65534:\n"
    "openclaw:x:1000:\n"
    "audio:x:29:someone,openclaw\n"
    "staff:x:51:nobody\n"
    "docker:x:999:openclaw,openclaw\n"
    "1234:x:77:\n";

}  // namespace

TEST_CASE("ParsePasswd skips comments, blanks and malformed lines") {
  struct Case {
    const char* text;
    size_t entries;
    std::vector<size_t> skipped_lines;
  };
  const Case cases[] = {
      {"", 0, {}},
      {"\n\n   \n", 0, {}},
      {"# only a comment\n  #indented\n", 0, {}},
      {"root:x:0:0:root:/root:/bin/sh", 1, {}},             // no final newline
      {"root:x:0:0:root:/root:/bin/sh\r\n", 1, {}},         // CRLF
      {"  root:x:0:0:root:/root:/bin/sh\n", 1, {}},         // leading blanks, as glibc
      {"a:x:1:1\nb:x:2:2::/:/bin/sh\n", 1, {1}},            // too few fields
      {"a:x:1:1::/:/bin/sh:extra\n", 0, {1}},               // too many fields
      {":x:1:1::/:/bin/sh\n", 0, {1}},                      // empty name
      {"a:x::1::/:/bin/sh\n", 0, {1}},                      // empty uid
      {"a:x:-1:1::/:/bin/sh\n", 0, {1}},                    // negative uid
      {"a:x:1x:1::/:/bin/sh\n", 0, {1}},                    // junk uid
      {"a:x:4294967295:1::/:/bin/sh\n", 0, {1}},            // (uid_t)-1
      {"a:x:4294967294:1::/:/bin/sh\n", 1, {}},             // largest valid uid
      {"a:x:1:99999999999::/:/bin/sh\n", 0, {1}},           // gid overflow
      {"+nis\n-other\nroot:x:0:0::/:/bin/sh\n", 1, {1, 2}},  // NIS compat lines
      {"\n#c\nbad\nroot:x:0:0::/:/bin/sh\nworse:\n", 1, {3, 5}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    PasswdFile db = ParsePasswd(c.text);
    CHECK(db.entries.size() == c.entries);
    std::vector<size_t> lines;
    for (const SkippedLine& s : db.skipped) {
      lines.push_back(s.line);
      CHECK_FALSE(s.reason.empty());
    }
    CHECK(lines == c.skipped_lines);
  }

  PasswdFile db = ParsePasswd(kPasswd);
  REQUIRE(db.entries.size() == 7);
  CHECK(db.skipped.empty());
  const PasswdEntry& root = db.entries[0];
  CHECK(root.name == "root");
  CHECK(root.uid == 0);
  CHECK(root.gid == 0);
  CHECK(root.home == "/root");
  CHECK(root.shell == "/bin/bash");
  // The reason names what is wrong, never the line's text.
  PasswdFile bad = ParsePasswd("secret-ish:x:1:1\n");
  REQUIRE(bad.skipped.size() == 1);
  CHECK(bad.skipped[0].reason.find("secret") == std::string::npos);
  CHECK(bad.skipped[0].reason == "expected 7 fields, found 4");
}

TEST_CASE("Find* return the first entry, as glibc does") {
  PasswdFile db = ParsePasswd(kPasswd);
  REQUIRE(FindUserByName(db, "openclaw") != nullptr);
  CHECK(FindUserByName(db, "openclaw")->uid == 1000);
  CHECK(FindUserByName(db, "openclaw")->home == "/home/openclaw");
  CHECK(FindUserByUid(db, 1000)->name == "openclaw");
  CHECK(FindUserByName(db, "absent") == nullptr);
  CHECK(FindUserByName(db, "") == nullptr);
  CHECK(FindUserByUid(db, 1234) == nullptr);
  GroupFile groups = ParseGroup(kGroup);
  REQUIRE(FindGroupByName(groups, "staff") != nullptr);
  CHECK(FindGroupByName(groups, "staff")->gid == 50);
  CHECK(FindGroupByName(groups, "wheel") == nullptr);
}

TEST_CASE("ParseGroup") {
  struct Case {
    const char* text;
    size_t entries;
    size_t skipped;
    std::vector<std::string> members;  // of the first entry
  };
  const Case cases[] = {
      {"g:x:5:\n", 1, 0, {}},
      {"g:x:5\n", 1, 0, {}},  // member field missing altogether
      {"g:x:5:a,b,c\n", 1, 0, {"a", "b", "c"}},
      {"g:x:5:a,,b,\n", 1, 0, {"a", "b"}},  // empty members dropped
      {"g:x:5:a\r\n", 1, 0, {"a"}},
      {"g:x:\n", 0, 1, {}},
      {"g:x:five:\n", 0, 1, {}},
      {":x:5:\n", 0, 1, {}},
      {"g:x:5:a:b\n", 0, 1, {}},
      {"g\n", 0, 1, {}},
      {"# c\n\n+\ng:x:5:z\n", 1, 1, {"z"}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    GroupFile db = ParseGroup(c.text);
    CHECK(db.entries.size() == c.entries);
    CHECK(db.skipped.size() == c.skipped);
    if (!db.entries.empty()) CHECK(db.entries[0].members == c.members);
  }
}

TEST_CASE("ParseGroup keeps long member lists whole") {
  // glibc's getgrnam_r needs ever larger buffers for such lines; ours has no
  // line length limit. 20000 members is a 200 KiB line.
  std::string line = "big:x:4242:";
  for (int i = 0; i < 20000; ++i) line += (i ? "," : "") + std::string("member") + std::to_string(i);
  std::string text = "before:x:1:member19999\n" + line + "\nafter:x:3:\n";
  GroupFile db = ParseGroup(text);
  REQUIRE(db.entries.size() == 3);
  CHECK(db.entries[1].gid == 4242);
  REQUIRE(db.entries[1].members.size() == 20000);
  CHECK(db.entries[1].members.front() == "member0");
  CHECK(db.entries[1].members.back() == "member19999");
  CHECK(db.entries[2].name == "after");

  PasswdFile passwd = ParsePasswd("member19999:x:3000:3000::/h:/bin/sh\n");
  auto user = ResolveUserSpec("member19999", passwd, db);
  REQUIRE(user);
  CHECK(user.value().groups == std::vector<gid_t>{3000, 1, 4242});
}

TEST_CASE("ParseNumericId") {
  struct Case {
    const char* text;
    bool ok;
    std::optional<uint32_t> value;
  };
  const Case cases[] = {
      {"0", true, 0u},
      {"65534", true, 65534u},
      {"007", true, 7u},
      {"4294967294", true, 4294967294u},
      {"4294967295", false, std::nullopt},
      {"99999999999999999999999", false, std::nullopt},
      {"", true, std::nullopt},
      {"nobody", true, std::nullopt},
      {"-1", true, std::nullopt},
      {"+1", true, std::nullopt},
      {"12a", true, std::nullopt},
      {" 12", true, std::nullopt},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    auto id = ParseNumericId(c.text);
    REQUIRE(static_cast<bool>(id) == c.ok);
    if (c.ok) CHECK(id.value() == c.value);
  }
}

TEST_CASE("ResolveUserSpec: every Docker --user form") {
  PasswdFile passwd = ParsePasswd(kPasswd);
  GroupFile group = ParseGroup(kGroup);
  struct Case {
    const char* spec;
    uid_t uid;
    gid_t gid;
    std::vector<gid_t> groups;
    const char* name;
    const char* home;
    bool in_passwd;
  };
  const Case cases[] = {
      // name: passwd gid, initgroups list (primary first, file order, no
      // duplicates; the duplicate "staff" 51 names nobody, not openclaw).
      {"openclaw", 1000, 1000, {1000, 50, 29, 999}, "openclaw", "/home/openclaw", true},
      {"nobody", 65534, 65534, {65534, 51}, "nobody", "/nonexistent", true},
      {"root", 0, 0, {0}, "root", "/root", true},
      // uid in passwd: the first entry with that uid gives name, gid, home.
      {"1000", 1000, 1000, {1000, 50, 29, 999}, "openclaw", "/home/openclaw", true},
      {"65534", 65534, 65534, {65534, 51}, "nobody", "/nonexistent", true},
      {"0", 0, 0, {0}, "root", "/root", true},
      // uid not in passwd: gid 0, home "/", no supplementary groups.
      {"1234", 1234, 0, {}, "1234", "/", false},
      {"4294967294", 4294967294u, 0, {}, "4294967294", "/", false},
      // an explicit group replaces the list.
      {"openclaw:staff", 1000, 50, {50}, "openclaw", "/home/openclaw", true},
      {"openclaw:7", 1000, 7, {7}, "openclaw", "/home/openclaw", true},
      {"nobody:nogroup", 65534, 65534, {65534}, "nobody", "/nonexistent", true},
      {"65534:65534", 65534, 65534, {65534}, "nobody", "/nonexistent", true},
      {"root:0", 0, 0, {0}, "root", "/root", true},
      {"1234:1234", 1234, 1234, {1234}, "1234", "/", false},
      {"1234:nogroup", 1234, 65534, {65534}, "1234", "/", false},
      {"0:audio", 0, 29, {29}, "root", "/root", true},
      // gid not in /etc/group is fine when numeric.
      {"nobody:31337", 65534, 31337, {31337}, "nobody", "/nonexistent", true},
      // an all-digit group is a gid even when a group is named like it.
      {"nobody:1234", 65534, 1234, {1234}, "nobody", "/nonexistent", true},
      // empty home in passwd reads as "/".
      {"nohome", 1500, 1500, {1500}, "nohome", "/", true},
      // a duplicate name: the first wins.
      {"openclaw:openclaw", 1000, 1000, {1000}, "openclaw", "/home/openclaw", true},
  };
  for (const Case& c : cases) {
    CAPTURE(c.spec);
    auto r = ResolveUserSpec(c.spec, passwd, group);
    REQUIRE_MESSAGE(r, (r ? "" : r.error().message));
    CHECK(r.value().uid == c.uid);
    CHECK(r.value().gid == c.gid);
    CHECK(r.value().groups == c.groups);
    CHECK(r.value().name == c.name);
    CHECK(r.value().home == c.home);
    CHECK(r.value().in_passwd == c.in_passwd);
  }
}

TEST_CASE("ResolveUserSpec: unknown names and bad specs are config errors naming the spec") {
  PasswdFile passwd = ParsePasswd(kPasswd);
  GroupFile group = ParseGroup(kGroup);
  struct Case {
    const char* spec;
    const char* says;
  };
  const Case cases[] = {
      {"ghost", "no user named 'ghost'"},
      {"ghost:staff", "no user named 'ghost'"},
      {"nobody:ghosts", "no group named 'ghosts'"},
      {"1234:ghosts", "no group named 'ghosts'"},
      {"Nobody", "no user named 'Nobody'"},  // names are case-sensitive
      {"-1", "no user named '-1'"},           // not digits: a name
      {"4294967295", "out of range"},
      {"99999999999", "out of range"},
      {"nobody:4294967295", "out of range"},
      {"", "empty user"},
      {":staff", "empty user"},
      {"nobody:", "empty group"},
      {"a:b:c", "expected USER[:GROUP]"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.spec);
    auto r = ResolveUserSpec(c.spec, passwd, group);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ExitCode::kConfig);
    CHECK(r.error().message.find("'" + std::string(c.spec) + "'") != std::string::npos);
    CHECK_MESSAGE(r.error().message.find(c.says) != std::string::npos, r.error().message);
  }
  // With empty databases only numeric forms resolve.
  CHECK(ResolveUserSpec("1000:1000", PasswdFile{}, GroupFile{}));
  CHECK_FALSE(ResolveUserSpec("root", PasswdFile{}, GroupFile{}));
  CHECK_FALSE(ResolveUserSpec("0:root", PasswdFile{}, GroupFile{}));
}

}  // namespace claw
