// The real AWS CLI against the server (skipped when `aws` is not on PATH):
// proves the envelope, CRC32 and error shapes satisfy botocore.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tests/server/test_server.h"

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::testing::aws_cli_test {
namespace {

using AwsCliTest = ServerTest;

// Runs `aws dynamodb <args>` with dummy credentials; returns exit status and
// stdout+stderr.
std::pair<int, std::string> Aws(std::uint16_t port, const std::string& args) {
  const std::string cmd =
      "AWS_ACCESS_KEY_ID=dummy AWS_SECRET_ACCESS_KEY=dummy AWS_DEFAULT_REGION=eu-west-1 "
      "AWS_REGION=eu-west-1 AWS_PAGER= AWS_CONFIG_FILE=/dev/null AWS_MAX_ATTEMPTS=1 "
      "aws dynamodb " +
      args + " --endpoint-url http://127.0.0.1:" + std::to_string(port) + " --output json 2>&1";
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return {-1, "popen failed"};
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
    out.append(buf, n);
  const int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

TEST_F(AwsCliTest, CreatePutGetQueryAndErrors) {
  if (std::system("command -v aws >/dev/null 2>&1") != 0) GTEST_SKIP() << "aws not on PATH";
  auto [rc, out] =
      Aws(port(),
          "create-table --table-name clitest --attribute-definitions "
          "AttributeName=pk,AttributeType=S --key-schema AttributeName=pk,KeyType=HASH "
          "--billing-mode PAY_PER_REQUEST");
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("arn:aws:dynamodb:eu-west-1:000000000000:table/clitest"), std::string::npos)
      << out;

  std::tie(rc, out) = Aws(port(), "wait table-exists --table-name clitest");
  EXPECT_EQ(rc, 0) << out;

  std::tie(rc, out) = Aws(port(),
                          "put-item --table-name clitest --item "
                          "'{\"pk\":{\"S\":\"a\"},\"n\":{\"N\":\"42\"},\"b\":{\"B\":\"AAE=\"}}'");
  ASSERT_EQ(rc, 0) << out;

  std::tie(rc, out) = Aws(port(), "get-item --table-name clitest --key '{\"pk\":{\"S\":\"a\"}}'");
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("\"42\""), std::string::npos) << out;

  std::tie(rc, out) = Aws(port(),
                          "query --table-name clitest --key-condition-expression 'pk = :p' "
                          "--expression-attribute-values '{\":p\":{\"S\":\"a\"}}'");
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("\"Count\": 1"), std::string::npos) << out;

  std::tie(rc, out) = Aws(port(), "scan --table-name clitest");
  ASSERT_EQ(rc, 0) << out;

  std::tie(rc, out) = Aws(port(),
                          "put-item --table-name clitest --item '{\"pk\":{\"S\":\"a\"}}' "
                          "--condition-expression 'attribute_not_exists(pk)'");
  EXPECT_NE(rc, 0);
  EXPECT_NE(out.find("ConditionalCheckFailedException"), std::string::npos) << out;

  std::tie(rc, out) = Aws(port(), "describe-table --table-name nothere");
  EXPECT_NE(rc, 0);
  EXPECT_NE(out.find("ResourceNotFoundException"), std::string::npos) << out;

  std::tie(rc, out) = Aws(port(), "list-tables");
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("clitest"), std::string::npos) << out;

  std::tie(rc, out) = Aws(port(), "delete-table --table-name clitest");
  EXPECT_EQ(rc, 0) << out;
}

}  // namespace
}  // namespace eddy::testing::aws_cli_test
