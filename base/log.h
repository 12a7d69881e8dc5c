// claw-init's own log lines, on stderr, through spdlog. `--log-format json`
// gives one JSON object per line. Messages must never contain the value of an
// environment variable or a secret: name keys and variables, not values.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace claw {

enum class LogFormat { kText, kJson };
enum class LogLevel { kDebug, kInfo, kWarn, kError };

// Configures the process-wide logger; safe to call again (tests, subcommands).
void InitLogging(LogFormat format, LogLevel level);

// Parses "debug", "info", "warn", "error" / "text", "json".
Result<LogLevel> ParseLogLevel(std::string_view text);
Result<LogFormat> ParseLogFormat(std::string_view text);

// True when debug lines are written: lets hot paths skip building them.
bool DebugEnabled();
void LogDebug(const std::string& message);
void LogInfo(const std::string& message);
void LogWarn(const std::string& message);
void LogError(const std::string& message);

// Escapes `text` as the inside of a JSON string (no surrounding quotes).
// Pure; also used by the health and version code.
std::string JsonEscape(std::string_view text);

}  // namespace claw
