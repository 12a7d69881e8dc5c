// Our own reader of /etc/passwd and /etc/group, and the resolution of a
// Docker-style `--user` spec against them. Pure: text in, values out. The
// binary is static, and getpwnam/getgrnam in a static glibc load shared NSS
// modules at run time, so claw-init never calls them.
//
// Lookups follow glibc's files backend: the first entry with a given name or
// id wins, lines whose first non-blank character is '#' and blank lines are
// ignored, and a line that does not parse is skipped (and reported, so the
// caller can warn) rather than failing the whole file.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace claw {

struct PasswdEntry {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string home;
  std::string shell;
};

struct GroupEntry {
  std::string name;
  gid_t gid = 0;
  std::vector<std::string> members;
};

// A line left out of the database: 1-based line number and why. The line's
// text is not kept, so a warning built from it never echoes file contents.
struct SkippedLine {
  size_t line = 0;
  std::string reason;
};

struct PasswdFile {
  std::vector<PasswdEntry> entries;  // in file order, duplicates kept
  std::vector<SkippedLine> skipped;
};

struct GroupFile {
  std::vector<GroupEntry> entries;
  std::vector<SkippedLine> skipped;
};

// name:password:uid:gid:gecos:home:shell, exactly seven fields.
PasswdFile ParsePasswd(std::string_view text);

// name:password:gid:member,member,... ; a missing member field means none.
GroupFile ParseGroup(std::string_view text);

// First match, or nullptr.
const PasswdEntry* FindUserByName(const PasswdFile& db, std::string_view name);
const PasswdEntry* FindUserByUid(const PasswdFile& db, uid_t uid);
const GroupEntry* FindGroupByName(const GroupFile& db, std::string_view name);

// A uid or gid spelled in decimal: digits only, 0..4294967294. The value
// 4294967295 is (uid_t)-1, which setresuid(2) reads as "leave unchanged", so
// accepting it would silently keep root. nullopt when `text` is not all
// digits (then it is a name); an Error when it is all digits but too large.
Result<std::optional<uint32_t>> ParseNumericId(std::string_view text);

// The outcome of a --user spec.
struct ResolvedUser {
  uid_t uid = 0;
  gid_t gid = 0;
  // setgroups(2) list: as initgroups(3) builds it (primary gid, then every
  // group naming the user) for a passwd user with no explicit group; just the
  // group for an explicit group (as Docker, gosu and su-exec do); empty for a
  // uid that is not in passwd.
  std::vector<gid_t> groups;
  std::string name;  // passwd name, or the uid in decimal
  std::string home;  // passwd home, or "/"
  bool in_passwd = false;
};

// Resolves `user`, `uid`, `user:group`, `uid:gid`, `user:gid`, `uid:group`
// (Docker's --user rules): an all-digit part is always an id, anything else a
// name. A numeric uid need not exist in passwd (gid 0 unless given, home
// "/"); a numeric gid need not exist in group. An unknown user or group
// name, an empty part or a number out of range is an Error (kConfig) naming
// the spec.
Result<ResolvedUser> ResolveUserSpec(std::string_view spec, const PasswdFile& passwd,
                                     const GroupFile& group);

}  // namespace claw
