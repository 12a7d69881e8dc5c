// The process environment as data: main reads environ once into this map,
// and everything below it takes the map, so tests need no setenv.
#pragma once

#include <map>
#include <string>

namespace claw {

// Name -> value, sorted by name.
using Environment = std::map<std::string, std::string>;

}  // namespace claw
