// The termination log (Kubernetes terminationMessagePath): on its final
// exit claw-init writes one line saying why it ended, e.g. "openclaw exited
// with status 1; gave up after 11 failed runs" (contract section 7). What the
// line says, and that it holds no secret, is the caller's; this file resolves
// where it goes, bounds it, and writes it without ever failing the exit.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace claw {

inline constexpr const char* kDefaultTerminationLog = "/dev/termination-log";
// Kubernetes keeps at most 4096 bytes of a container's message.
inline constexpr size_t kTerminationMessageLimit = 4096;

// Where the line goes; nullopt for nowhere. `value` is what
// --termination-log, CLAW_TERMINATION_LOG or the profile's
// `[runtime] termination_log` said (nullopt: nobody said): "off" is
// nowhere, an absolute path is that path, anything else an Error naming the
// value. Unsaid, `default_path` when something is there (a bind-mounted file
// in Kubernetes), else nowhere.
Result<std::optional<std::string>> ResolveTerminationLog(const std::optional<std::string>& value,
                                                         const std::string& default_path = kDefaultTerminationLog);

// The file's content for `reason`: one line ending in '\n', at most
// kTerminationMessageLimit bytes in all. Every control character inside
// (newlines too) becomes a space; a longer reason is cut on a UTF-8
// character boundary and ends in "...". Pure.
std::string FormatTerminationMessage(std::string_view reason);

// Writes `content` to the absolute `path`: atomically (a temporary file
// beside it, then a rename, through WriteFileAtomicAt; a file that was there
// keeps its mode, a new one is 0644), or, where a rename is impossible but
// the file is there (a bind-mounted file: EBUSY; a read-only directory
// around a writable file), in place. Returns nullopt when written, else the
// text of a warning (a missing or read-only directory, a symbolic link or
// non-regular file at `path`): never a failure of the exit.
std::optional<std::string> WriteTerminationLog(const std::string& path, std::string_view content);

}  // namespace claw
