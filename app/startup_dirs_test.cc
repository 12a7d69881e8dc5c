// The directories start-up makes before the first spawn (app/main.cc runs
// PrepareWorkdir, then PrepareTargetDirectory): made for the runtime user,
// never through a symlink, an empty root-owned volume handed over.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>

#include "patchers/apply.h"
#include "process/privileges.h"
#include "tests/test_util.h"

namespace claw {
namespace {


struct Dirs {
  std::optional<std::string> workdir;
  std::optional<std::string> target;  // the config target, whose directory is made
};

// The two steps as app/main.cc takes them.
Status PrepareDirs(const Credentials& creds, const Dirs& dirs) {
  if (auto st = PrepareWorkdir(creds, dirs.workdir); !st) return st;
  if (!dirs.target) return Ok{};
  FileSpec owner;
  if (creds.drop) {
    owner.uid = creds.uid;
    owner.gid = creds.gid;
  }
  return PrepareTargetDirectory(*dirs.target, owner, creds.name);
}

}  // namespace

TEST_CASE("start-up directories: PrepareWorkdir and PrepareTargetDirectory create and hands over directories without following symlinks") {
  if (!IsRoot()) {
    MESSAGE("SKIP: start-up directory ownership needs root");
    return;
  }
  TempDir tmp;
  REQUIRE_FALSE(tmp.path.empty());
  const std::string& t = tmp.path;
  Credentials creds;
  creds.drop = true;
  creds.uid = 65534;
  creds.gid = 65533;
  creds.name = "nobody";

  SUBCASE("missing workdir and config directory are created for the runtime user") {
    Dirs o;
    o.workdir = t + "/home/app";
    o.target = t + "/home/app/.app/config.json";
    REQUIRE(PrepareDirs(creds, o));
    struct stat home = Lstat(t + "/home");
    struct stat app = Lstat(t + "/home/app");
    struct stat cfg = Lstat(t + "/home/app/.app");
    // The intermediate directory is made as `mkdir -p` would as root.
    CHECK(S_ISDIR(home.st_mode));
    CHECK(home.st_uid == 0);
    CHECK((home.st_mode & 07777) == 0755);
    CHECK(app.st_uid == 65534);
    CHECK(app.st_gid == 65533);
    CHECK((app.st_mode & 07777) == 0700);
    CHECK(cfg.st_uid == 65534);
    CHECK((cfg.st_mode & 07777) == 0700);
    CHECK(Lstat(t + "/home/app/.app/config.json").st_mode == 0);  // the file is the patcher's job
    // A second run changes nothing and succeeds.
    REQUIRE(PrepareDirs(creds, o));
  }

  SUBCASE("a symlink anywhere in the path is refused and nothing is created through it") {
    REQUIRE(mkdir((t + "/elsewhere").c_str(), 0755) == 0);
    REQUIRE(symlink((t + "/elsewhere").c_str(), (t + "/link").c_str()) == 0);
    struct Case {
      std::string workdir;
      std::string names;
    };
    const Case cases[] = {
        {t + "/link/work", t + "/link"},
        {t + "/link", t + "/link"},
    };
    for (const Case& c : cases) {
      CAPTURE(c.workdir);
      Dirs o;
      o.workdir = c.workdir;
      auto st = PrepareDirs(creds, o);
      REQUIRE_FALSE(st);
      CHECK(st.error().code == ExitCode::kConfig);
      CHECK(st.error().message.find(c.names + " is a symbolic link") != std::string::npos);
    }
    CHECK(Lstat(t + "/elsewhere/work").st_mode == 0);
    CHECK(Lstat(t + "/elsewhere").st_uid == 0);
    Dirs o;
    o.target = t + "/link/cfg.json";
    auto st = PrepareDirs(creds, o);
    REQUIRE_FALSE(st);
    CHECK(st.error().message.find("config directory") != std::string::npos);
  }

  SUBCASE("pre-existing leaves: only an empty root-owned one is handed over") {
    REQUIRE(mkdir((t + "/empty").c_str(), 0755) == 0);
    REQUIRE(mkdir((t + "/full").c_str(), 0755) == 0);
    std::ofstream(t + "/full/file") << "x";
    REQUIRE(mkdir((t + "/sticky").c_str(), 01777) == 0);
    REQUIRE(chmod((t + "/sticky").c_str(), 01777) == 0);
    REQUIRE(mkdir((t + "/other").c_str(), 0755) == 0);
    REQUIRE(chown((t + "/other").c_str(), 4321, 4321) == 0);
    for (const char* leaf : {"/empty", "/full", "/sticky", "/other"}) {
      Dirs o;
      o.workdir = t + leaf;
      REQUIRE(PrepareDirs(creds, o));
    }
    CHECK(Lstat(t + "/empty").st_uid == 65534);
    CHECK((Lstat(t + "/empty").st_mode & 07777) == 0755);  // mode of an existing dir is kept
    CHECK(Lstat(t + "/full").st_uid == 0);
    CHECK(Lstat(t + "/sticky").st_uid == 0);
    CHECK(Lstat(t + "/other").st_uid == 4321);
    // The tree above a leaf is never touched.
    CHECK(Lstat(t).st_uid == 0);
  }

  SUBCASE("bad paths") {
    REQUIRE(close(open((t + "/file").c_str(), O_CREAT | O_WRONLY, 0600)) == 0);
    struct Case {
      std::optional<std::string> workdir;
      std::optional<std::string> target;
      const char* says;
    };
    const Case cases[] = {
        {"relative/dir", std::nullopt, "not an absolute path"},
        {t + "/a/../b", std::nullopt, "'..' is not allowed"},
        {t + "/file/sub", std::nullopt, "not a directory"},
        {t + "/file", std::nullopt, "not a directory"},
        {std::nullopt, "config.json", "not an absolute path"},
    };
    for (const Case& c : cases) {
      Dirs o;
      o.workdir = c.workdir;
      o.target = c.target;
      auto st = PrepareDirs(creds, o);
      REQUIRE_FALSE(st);
      CHECK_MESSAGE(st.error().message.find(c.says) != std::string::npos, st.error().message);
    }
    CHECK(Lstat(t + "/a").st_mode == 0);
  }

  SUBCASE("without a drop, directories are created with claw-init's own ids") {
    Dirs o;
    o.workdir = t + "/mine/work";
    REQUIRE(PrepareDirs(Credentials{}, o));
    CHECK(Lstat(t + "/mine/work").st_uid == 0);
    CHECK((Lstat(t + "/mine/work").st_mode & 07777) == 0700);
  }
}

}  // namespace claw
