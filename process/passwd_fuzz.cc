// libFuzzer target: our /etc/passwd and /etc/group readers and the --user
// resolution, fed what an image may hold. Input: SPEC \0 PASSWD \0 GROUP.
// Invariants: no crash; a resolved uid or gid is never (id_t)-1 (setresuid
// would read it as "leave unchanged" and keep root); a resolved passwd user
// is the first entry with that name or uid; the supplementary groups hold
// the primary gid first when they come from the group file.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "process/passwd.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view all(reinterpret_cast<const char*>(data), size);
  const size_t a = all.find('\0');
  std::string_view spec = all.substr(0, a);
  std::string_view rest = a == std::string_view::npos ? std::string_view() : all.substr(a + 1);
  const size_t b = rest.find('\0');
  std::string_view passwd_text = rest.substr(0, b);
  std::string_view group_text = b == std::string_view::npos ? std::string_view() : rest.substr(b + 1);

  const claw::PasswdFile passwd = claw::ParsePasswd(passwd_text);
  const claw::GroupFile group = claw::ParseGroup(group_text);
  for (const auto& e : passwd.entries) {
    if (e.uid == static_cast<uid_t>(-1) || e.gid == static_cast<gid_t>(-1)) std::abort();
    if (e.name.find(':') != std::string::npos || e.name.find('\n') != std::string::npos) std::abort();
  }
  for (const auto& g : group.entries) {
    if (g.gid == static_cast<gid_t>(-1)) std::abort();
  }

  auto numeric = claw::ParseNumericId(spec);
  if (numeric && numeric.value() && *numeric.value() == UINT32_MAX) std::abort();

  auto resolved = claw::ResolveUserSpec(spec, passwd, group);
  if (!resolved) return 0;
  const claw::ResolvedUser& user = resolved.value();
  if (user.uid == static_cast<uid_t>(-1) || user.gid == static_cast<gid_t>(-1)) std::abort();
  for (gid_t g : user.groups) {
    if (g == static_cast<gid_t>(-1)) std::abort();
  }
  if (user.in_passwd) {
    const claw::PasswdEntry* by_uid = claw::FindUserByUid(passwd, user.uid);
    const claw::PasswdEntry* by_name = claw::FindUserByName(passwd, user.name);
    if (by_uid == nullptr && by_name == nullptr) std::abort();
    if (by_name != nullptr && by_name->uid != user.uid) {
      // Found by uid: then the name is the first entry with that uid.
      if (by_uid == nullptr || by_uid->name != user.name) std::abort();
    }
  }
  return 0;
}
