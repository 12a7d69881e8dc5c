// libFuzzer target: the JSON5 pass. Whatever it accepts must be strict JSON
// that RapidJSON accepts too (UTF-8 validated); nothing may crash at any
// nesting depth.
#include <rapidjson/error/error.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <cstdint>
#include <cstdlib>

#include "patchers/json5.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto json = claw::Json5ToJson(text, "fuzz.json5");
  if (!json) return 0;
  rapidjson::BaseReaderHandler<> ignore;
  rapidjson::Reader reader;
  rapidjson::MemoryStream stream(json.value().data(), json.value().size());
  constexpr unsigned kFlags =
      rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseValidateEncodingFlag;
  rapidjson::ParseResult ok = reader.Parse<kFlags>(stream, ignore);
  // RapidJSON refuses numbers beyond a double even as strings; that is its
  // limit, not a fault of the pass.
  if (!ok && ok.Code() != rapidjson::kParseErrorNumberTooBig) std::abort();
  return 0;
}
