// The DynamoDB Streams operations (DynamoDBStreams_20120810.*), served on the
// same port as DynamoDB's: ListStreams, DescribeStream, GetShardIterator,
// GetRecords (facts doc §3). Also the StreamSpecification / LatestStreamArn
// members that table descriptions carry.
//
// Regions: the engine names its streams with the server's --region. A client
// whose SigV4 scope names another region sees that region in every ARN and
// record (as if the server lived there) and may send such ARNs back.
#pragma once

#include "server/operation.h"

namespace eddy::server {

ApiStatus ListStreams(RequestContext& ctx);
ApiStatus DescribeStream(RequestContext& ctx);
ApiStatus GetShardIterator(RequestContext& ctx);
ApiStatus GetRecords(RequestContext& ctx);

// `arn` with its region field replaced by `region` (unchanged when it is
// not an ARN); also applies to shard iterators, which start with the ARN.
std::string ArnInRegion(std::string_view arn, std::string_view region);

}  // namespace eddy::server
