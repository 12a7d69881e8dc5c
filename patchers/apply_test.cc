#include "patchers/apply.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include "tests/test_util.h"

namespace claw {
namespace {

namespace fs = std::filesystem;


TEST_CASE("WriteFileAtomic writes 0600 and owner, leaves no temp file") {
  TempDir dir;
  const std::string target = dir / "openclaw.json";
  WriteText(dir / ".openclaw.json.claw-tmp", "stale temp from a crash");
  REQUIRE(WriteFileAtomic(target, "{}\n", std::nullopt, std::nullopt));
  CHECK(ReadText(target) == "{}\n");
  struct stat st {};
  REQUIRE(::stat(target.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);
  CHECK_FALSE(fs::exists(dir / ".openclaw.json.claw-tmp"));

  REQUIRE(WriteFileAtomic(target, "{\"a\": 1}\n", std::nullopt, std::nullopt));
  CHECK(ReadText(target) == "{\"a\": 1}\n");
  if (::geteuid() == 0) {
    REQUIRE(WriteFileAtomic(target, "x", uid_t{12345}, gid_t{23456}));
    REQUIRE(::stat(target.c_str(), &st) == 0);
    CHECK(st.st_uid == 12345);
    CHECK(st.st_gid == 23456);
  }
  CHECK(fs::directory_entry(dir.path).exists());
  CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);
}

TEST_CASE("WriteFileAtomic and ReadTarget refuse symlinks; nothing outside changes") {
  TempDir dir;
  const std::string outside = dir / "outside.json";
  WriteText(outside, "precious");
  fs::create_directory(dir / "conf");
  fs::create_directory(dir / "elsewhere");

  SUBCASE("symlink at the target") {
    const std::string target = dir / "conf/openclaw.json";
    fs::create_symlink(outside, target);
    auto write = WriteFileAtomic(target, "evil", std::nullopt, std::nullopt);
    REQUIRE_FALSE(write);
    CHECK(write.error().message.find("is a symlink") != std::string::npos);
    auto read = ReadTarget(target);
    REQUIRE_FALSE(read);
    CHECK(read.error().message.find("is a symlink") != std::string::npos);
    CHECK(fs::is_symlink(target));
  }
  SUBCASE("symlinked directory on the way") {
    fs::create_directory_symlink(dir / "elsewhere", dir / "conf/sub");
    const std::string target = dir / "conf/sub/openclaw.json";
    auto write = WriteFileAtomic(target, "evil", std::nullopt, std::nullopt);
    REQUIRE_FALSE(write);
    CHECK(write.error().message.find("conf/sub: is a symlink") != std::string::npos);
    CHECK(fs::is_empty(dir / "elsewhere"));
    WriteText(dir / "elsewhere/openclaw.json", "outside");
    auto read = ReadTarget(target);
    REQUIRE_FALSE(read);
    CHECK(read.error().message.find("is a symlink") != std::string::npos);
  }
  CHECK(ReadText(outside) == "precious");
}

TEST_CASE("ReadTarget: missing file or directory is no target; FIFOs are refused without blocking") {
  TempDir dir;
  auto missing = ReadTarget(dir / "nope/openclaw.json");
  REQUIRE(missing);
  CHECK_FALSE(missing.value().has_value());
  auto absent = ReadTarget(dir / "openclaw.json");
  REQUIRE(absent);
  CHECK_FALSE(absent.value().has_value());
  WriteText(dir / "c.json", "{}");
  auto present = ReadTarget(dir / "c.json");
  REQUIRE(present);
  CHECK(present.value() == std::optional<std::string>("{}"));

  REQUIRE(::mkfifo((dir / "fifo.json").c_str(), 0600) == 0);
  auto fifo = ReadTarget(dir / "fifo.json");
  REQUIRE_FALSE(fifo);
  CHECK(fifo.error().message.find("not a regular file") != std::string::npos);
  CHECK_FALSE(ReadSecretFile(dir / "fifo.json"));

  CHECK_FALSE(ReadTarget(dir / "../x.json"));
  fs::create_hard_link(dir / "c.json", dir / "linked.json");
  auto linked = ReadTarget(dir / "linked.json");
  REQUIRE_FALSE(linked);
  CHECK(linked.error().message.find("has other hard links") != std::string::npos);
  auto write_missing = WriteFileAtomic(dir / "nope/c.json", "x", std::nullopt, std::nullopt);
  REQUIRE_FALSE(write_missing);
  CHECK(write_missing.error().message.find("no such directory") != std::string::npos);
}

TEST_CASE("ReadSecretFile follows symlinks and never names the path; ReadFileNoFollow does not follow") {
  TempDir dir;
  WriteText(dir / "real", "s3cret\n");
  fs::create_symlink(dir / "real", dir / "link");
  CHECK(ReadSecretFile(dir / "link").value() == "s3cret\n");
  auto missing = ReadSecretFile(dir / "no-such-secret-file");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message.find("no-such-secret-file") == std::string::npos);

  CHECK(ReadFileNoFollow(dir / "real").value() == "s3cret\n");
  auto link = ReadFileNoFollow(dir / "link");
  REQUIRE_FALSE(link);
  CHECK(link.error().message.find("is a symlink") != std::string::npos);
}

}  // namespace
}  // namespace claw
