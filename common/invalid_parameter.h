// DynamoDB's ValidationException for a bad parameter value, as the item
// model reports it: "One or more parameter values were invalid: <detail>".
#pragma once

#include <string>
#include <string_view>

#include "eddy/status.h"

namespace eddy {

inline Status InvalidParameterValue(std::string_view detail) {
  std::string message("One or more parameter values were invalid: ");
  message.append(detail);
  return Status::InvalidArgument(message);
}

}  // namespace eddy
