// DynamoDB's reserved words: names an expression may not use bare (they need
// a #name placeholder). Matching ignores ASCII case, as DynamoDB does:
// `status`, `Status` and `STATUS` are all rejected.
//
// Thread-safety: pure functions over static data.
#pragma once

#include <cstddef>
#include <string_view>

namespace eddy::server::expression {

bool IsReservedWord(std::string_view name);

// The size of the table (573), for tests.
std::size_t ReservedWordCount();

}  // namespace eddy::server::expression
