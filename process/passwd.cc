#include "process/passwd.h"

#include <algorithm>

namespace claw {
namespace {

constexpr uint64_t kMaxId = 4294967294u;  // (uid_t)-1 is reserved

// Splits `line` on `sep`, keeping empty fields.
std::vector<std::string_view> Split(std::string_view line, char sep) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  while (true) {
    size_t end = line.find(sep, start);
    if (end == std::string_view::npos) {
      fields.push_back(line.substr(start));
      return fields;
    }
    fields.push_back(line.substr(start, end - start));
    start = end + 1;
  }
}

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r'; }

// Calls `handle(line_number, content)` for each line that is neither blank
// nor a comment. glibc's files backend skips leading blanks the same way; a
// trailing '\r' (a file edited on Windows) is dropped rather than becoming
// part of the last field.
template <typename Handler>
void ForEachDataLine(std::string_view text, Handler handle) {
  size_t number = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++number;
    while (!line.empty() && IsBlank(line.front())) line.remove_prefix(1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    handle(number, line);
  }
}

// Calls `handle(line_number, fields)` for each entry of a passwd or group
// file: a data line of `min_fields` to `max_fields` ':'-separated fields.
// NIS compat lines (+/-) and lines with another count of fields go to
// `skipped` with the reason.
template <typename Handler>
void ForEachEntry(std::string_view text, size_t min_fields, size_t max_fields, std::vector<SkippedLine>& skipped,
                  Handler handle) {
  ForEachDataLine(text, [&](size_t number, std::string_view line) {
    if (line.front() == '+' || line.front() == '-') {
      skipped.push_back({number, "NIS compat entry ignored"});
      return;
    }
    std::vector<std::string_view> fields = Split(line, ':');
    if (fields.size() < min_fields || fields.size() > max_fields) {
      skipped.push_back({number, "expected " + std::to_string(max_fields) + " fields, found " +
                                     std::to_string(fields.size())});
      return;
    }
    handle(number, fields);
  });
}

// Strict decimal id for file fields: digits only, in range.
std::optional<uint32_t> FieldId(std::string_view text) {
  auto id = ParseNumericId(text);
  if (!id) return std::nullopt;
  return id.value();
}

}  // namespace

Result<std::optional<uint32_t>> ParseNumericId(std::string_view text) {
  if (text.empty()) return std::optional<uint32_t>();
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::optional<uint32_t>();
    if (value <= kMaxId) value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  if (value > kMaxId) {
    return Error{"id " + std::string(text) + " is out of range (0-" + std::to_string(kMaxId) + ")"};
  }
  return std::optional<uint32_t>(static_cast<uint32_t>(value));
}

PasswdFile ParsePasswd(std::string_view text) {
  PasswdFile db;
  ForEachEntry(text, 7, 7, db.skipped, [&](size_t number, const std::vector<std::string_view>& f) {
    std::optional<uint32_t> uid = FieldId(f[2]);
    std::optional<uint32_t> gid = FieldId(f[3]);
    if (f[0].empty()) {
      db.skipped.push_back({number, "empty user name"});
    } else if (!uid) {
      db.skipped.push_back({number, "invalid uid"});
    } else if (!gid) {
      db.skipped.push_back({number, "invalid gid"});
    } else {
      db.entries.push_back({std::string(f[0]), *uid, *gid, std::string(f[5]), std::string(f[6])});
    }
  });
  return db;
}

GroupFile ParseGroup(std::string_view text) {
  GroupFile db;
  // The member list, the fourth field, may be missing altogether.
  ForEachEntry(text, 3, 4, db.skipped, [&](size_t number, const std::vector<std::string_view>& f) {
    std::optional<uint32_t> gid = FieldId(f[2]);
    if (f[0].empty()) {
      db.skipped.push_back({number, "empty group name"});
      return;
    }
    if (!gid) {
      db.skipped.push_back({number, "invalid gid"});
      return;
    }
    GroupEntry entry{std::string(f[0]), *gid, {}};
    if (f.size() == 4 && !f[3].empty()) {
      for (std::string_view member : Split(f[3], ',')) {
        if (!member.empty()) entry.members.emplace_back(member);
      }
    }
    db.entries.push_back(std::move(entry));
  });
  return db;
}

const PasswdEntry* FindUserByName(const PasswdFile& db, std::string_view name) {
  for (const PasswdEntry& e : db.entries) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

const PasswdEntry* FindUserByUid(const PasswdFile& db, uid_t uid) {
  for (const PasswdEntry& e : db.entries) {
    if (e.uid == uid) return &e;
  }
  return nullptr;
}

const GroupEntry* FindGroupByName(const GroupFile& db, std::string_view name) {
  for (const GroupEntry& e : db.entries) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

Result<ResolvedUser> ResolveUserSpec(std::string_view spec, const PasswdFile& passwd,
                                     const GroupFile& group) {
  const std::string quoted = "user spec '" + std::string(spec) + "'";
  std::string_view user_part = spec;
  std::optional<std::string_view> group_part;
  if (size_t colon = spec.find(':'); colon != std::string_view::npos) {
    user_part = spec.substr(0, colon);
    group_part = spec.substr(colon + 1);
    if (group_part->find(':') != std::string_view::npos) {
      return Error{quoted + ": expected USER[:GROUP]"};
    }
    if (group_part->empty()) return Error{quoted + ": empty group"};
  }
  if (user_part.empty()) return Error{quoted + ": empty user"};

  ResolvedUser out;
  auto uid = ParseNumericId(user_part);
  if (!uid) return uid.error().Prefixed(quoted);
  const PasswdEntry* entry = nullptr;
  if (uid.value()) {
    // An all-digit user is always a uid (Docker): a passwd entry for it
    // supplies name, gid and home, but it need not exist.
    entry = FindUserByUid(passwd, *uid.value());
    out.uid = *uid.value();
  } else {
    entry = FindUserByName(passwd, user_part);
    if (entry == nullptr) {
      return Error{quoted + ": no user named '" + std::string(user_part) + "' in /etc/passwd"};
    }
    out.uid = entry->uid;
  }
  if (entry != nullptr) {
    out.in_passwd = true;
    out.name = entry->name;
    out.gid = entry->gid;
    out.home = entry->home.empty() ? "/" : entry->home;
  } else {
    out.name = std::to_string(out.uid);
    out.gid = 0;
    out.home = "/";
  }

  if (group_part) {
    auto gid = ParseNumericId(*group_part);
    if (!gid) return gid.error().Prefixed(quoted);
    if (gid.value()) {
      out.gid = *gid.value();
    } else {
      const GroupEntry* g = FindGroupByName(group, *group_part);
      if (g == nullptr) {
        return Error{quoted + ": no group named '" + std::string(*group_part) + "' in /etc/group"};
      }
      out.gid = g->gid;
    }
    // An explicit group replaces the user's group list, as with Docker,
    // gosu and su-exec.
    out.groups = {out.gid};
    return out;
  }

  if (out.in_passwd) {
    // initgroups(3): the primary gid, then each group that names the user,
    // in file order, without duplicates.
    out.groups.push_back(out.gid);
    for (const GroupEntry& g : group.entries) {
      if (std::find(g.members.begin(), g.members.end(), out.name) == g.members.end()) continue;
      if (std::find(out.groups.begin(), out.groups.end(), g.gid) == out.groups.end()) {
        out.groups.push_back(g.gid);
      }
    }
  }
  return out;
}

}  // namespace claw
