// Helpers shared by the unit tests (*_test.cc): a scratch directory, whole
// file reads and writes, lstat that tells absence by st_mode == 0.
#pragma once

#include <doctest/doctest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "base/environment.h"

namespace claw {

// An environment with only the caller's PATH, for commands the tests run.
inline Environment PathOnlyEnvironment() {
  Environment env;
  const char* path = ::getenv("PATH");
  env["PATH"] = path != nullptr ? path : "/usr/bin:/bin";
  return env;
}

// A fresh directory under /tmp (mode 0700), removed with all it holds at
// scope exit. Making it is a REQUIRE of the test that asks for it.
struct TempDir {
  std::string path;
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "claw-test-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path.empty()) std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string operator/(const std::string& name) const { return path + "/" + name; }
};

inline void WriteText(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

inline std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// lstat(2); st_mode is 0 when nothing is at `path`.
inline struct stat Lstat(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) st.st_mode = 0;
  return st;
}

inline bool IsRoot() { return ::geteuid() == 0; }

}  // namespace claw
