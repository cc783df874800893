// The JSON codec, base64 and SigV4 region parsing, without HTTP.
#include <gtest/gtest.h>

#include "server/attribute_json.h"
#include "server/base64.h"
#include "server/sigv4.h"

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::server::codec_test {
namespace {

ApiResult<AttributeValue> Parse(const char* text) {
  JsonDocument doc;
  doc.Parse(text);
  EXPECT_FALSE(doc.HasParseError()) << text;
  return AttributeValueFromJson(doc);
}

std::string RoundTrip(const char* text) {
  ApiResult<AttributeValue> v = Parse(text);
  if (!v.ok()) return "error: " + v.error().type + ": " + v.error().message;
  JsonDocument out;
  JsonValue json = AttributeValueToJson(*v, out.GetAllocator());
  return JsonToString(json);
}

std::string ErrorOf(const char* text) {
  ApiResult<AttributeValue> v = Parse(text);
  if (v.ok()) return "ok";
  return v.error().type + ": " + v.error().message;
}

TEST(Base64, EncodesWithPadding) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode(std::string("\xff\x00\x80", 3)), "/wCA");
}

TEST(Base64, DecodesCanonicalInput) {
  EXPECT_EQ(Base64Decode(""), "");
  EXPECT_EQ(Base64Decode("Zg=="), "f");
  EXPECT_EQ(Base64Decode("Zm8="), "fo");
  EXPECT_EQ(Base64Decode("Zm9vYmFy"), "foobar");
  EXPECT_EQ(Base64Decode("/wCA"), std::string("\xff\x00\x80", 3));
}

TEST(Base64, RejectsMalformedInput) {
  EXPECT_FALSE(Base64Decode("Zg="));
  EXPECT_FALSE(Base64Decode("Zg"));
  EXPECT_FALSE(Base64Decode("Z==="));
  EXPECT_FALSE(Base64Decode("Zm9v!mFy"));
  EXPECT_FALSE(Base64Decode("Zg=a"));
}

TEST(Base64, RoundTripsEveryLength) {
  std::string bytes;
  for (int i = 0; i < 300; ++i) {
    EXPECT_EQ(Base64Decode(Base64Encode(bytes)), bytes) << i;
    bytes.push_back(static_cast<char>(i * 37));
  }
}

TEST(AttributeJson, RoundTripsEveryType) {
  EXPECT_EQ(RoundTrip(R"({"S":"x"})"), R"({"S":"x"})");
  EXPECT_EQ(RoundTrip(R"({"N":"1.50"})"), R"({"N":"1.5"})");
  EXPECT_EQ(RoundTrip(R"({"B":"Zm9v"})"), R"({"B":"Zm9v"})");
  EXPECT_EQ(RoundTrip(R"({"BOOL":false})"), R"({"BOOL":false})");
  EXPECT_EQ(RoundTrip(R"({"NULL":true})"), R"({"NULL":true})");
  EXPECT_EQ(RoundTrip(R"({"M":{"b":{"S":"1"},"a":{"L":[]}}})"),
            R"({"M":{"a":{"L":[]},"b":{"S":"1"}}})");
  EXPECT_EQ(RoundTrip(R"({"L":[{"N":"1"},{"S":"a"}]})"), R"({"L":[{"N":"1"},{"S":"a"}]})");
  EXPECT_EQ(RoundTrip(R"({"SS":["b","a"]})"), R"({"SS":["a","b"]})");
  EXPECT_EQ(RoundTrip(R"({"NS":["10","9"]})"), R"({"NS":["9","10"]})");
  EXPECT_EQ(RoundTrip(R"({"BS":["Zm8=","Zg=="]})"), R"({"BS":["Zg==","Zm8="]})");
}

TEST(AttributeJson, IgnoresNullMembers) {
  EXPECT_EQ(RoundTrip(R"({"S":"x","N":null})"), R"({"S":"x"})");
}

TEST(AttributeJson, ReportsDynamoDbValidationErrors) {
  EXPECT_EQ(ErrorOf(R"({})"),
            "ValidationException: Supplied AttributeValue is empty, must contain exactly one of "
            "the supported datatypes");
  EXPECT_EQ(ErrorOf(R"({"S":"a","N":"1"})"),
            "ValidationException: Supplied AttributeValue has more than one datatypes set, must "
            "contain exactly one of the supported datatypes");
  EXPECT_EQ(ErrorOf(R"({"SS":[]})"),
            "ValidationException: One or more parameter values were invalid: An string set  may "
            "not be empty");
  EXPECT_EQ(ErrorOf(R"({"NS":[]})"),
            "ValidationException: One or more parameter values were invalid: An number set  may "
            "not be empty");
  EXPECT_EQ(ErrorOf(R"({"NULL":false})"),
            "ValidationException: One or more parameter values were invalid: Null attribute "
            "value types must have the value of true");
  EXPECT_EQ(ErrorOf(R"({"N":"abc"})"),
            "ValidationException: The parameter cannot be converted to a numeric value: abc");
  EXPECT_EQ(ErrorOf(R"({"N":"1E126"})").substr(0, 36), "ValidationException: Number overflow");
  EXPECT_EQ(ErrorOf(R"({"SS":["a","a"]})"),
            "ValidationException: One or more parameter values were invalid: Input collection "
            "[a, a] contains duplicates");
}

TEST(AttributeJson, ReportsWrongJsonShapesAsSerializationErrors) {
  for (const char* bad : {R"({"N":3})", R"({"S":true})", R"({"BOOL":"true"})", R"({"M":[]})",
                          R"({"L":{}})", R"({"SS":"a"})", R"({"SS":[1]})", R"({"B":"Zg="})",
                          R"({"BS":["!!!!"]})", R"({"X":"1"})", R"("S")"}) {
    EXPECT_EQ(ErrorOf(bad).substr(0, 22), "SerializationException") << bad;
  }
}

TEST(AttributeJson, LimitsNestingWithoutRecursingDeeply) {
  std::string deep;
  for (int i = 0; i < 5000; ++i)
    deep += R"({"L":[)";
  deep += R"({"S":"x"})";
  for (int i = 0; i < 5000; ++i)
    deep += "]}";
  JsonDocument doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(deep.c_str());
  ASSERT_FALSE(doc.HasParseError());
  ApiResult<AttributeValue> v = AttributeValueFromJson(doc);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().type, "ValidationException");
  EXPECT_NE(v.error().message.find("Nesting Levels have exceeded"), std::string::npos);
}

TEST(AttributeJson, ItemsAreAttributeMaps) {
  JsonDocument doc;
  doc.Parse(R"({"pk":{"S":"a"},"n":{"N":"2"}})");
  ApiResult<Item> item = ItemFromJson(doc);
  ASSERT_TRUE(item.ok());
  EXPECT_EQ(item->size(), 2u);
  JsonDocument out;
  EXPECT_EQ(JsonToString(ItemToJson(*item, out.GetAllocator())),
            R"({"n":{"N":"2"},"pk":{"S":"a"}})");
}

TEST(SigV4, ReadsTheRegionOfTheCredentialScope) {
  EXPECT_EQ(
      RegionFromAuthorization("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/eu-west-1/dynamodb/"
                              "aws4_request, SignedHeaders=content-type;host, Signature=abc"),
      "eu-west-1");
  EXPECT_EQ(RegionFromAuthorization(""), std::nullopt);
  EXPECT_EQ(RegionFromAuthorization("AWS4-HMAC-SHA256 Credential=AKID/20240101"), std::nullopt);
  EXPECT_EQ(RegionFromAuthorization("Credential=a/b//dynamodb/aws4_request"), std::nullopt);
}

}  // namespace
}  // namespace eddy::server::codec_test
