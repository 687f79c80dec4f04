"""The HTTP Request node's description as data: n8n's parameters for versions 3 to 4.2.

The versions share their parameters; what differs is read by the node (defaults of Follow
Redirects, dotted names in JSON bodies, multipart order). Options marked "keitaro-node" are
ours and not n8n's: limits every transport of this project has.
"""

from __future__ import annotations

from typing import Any

VERSIONS: tuple[float, ...] = (3, 4, 4.1, 4.2)
GENERIC_TYPES = (
    "httpBasicAuth",
    "httpBearerAuth",
    "httpDigestAuth",
    "httpHeaderAuth",
    "httpQueryAuth",
    "httpCustomAuth",
)


def _pairs(name: str, display: str, show: dict[str, list[Any]]) -> dict[str, Any]:
    """A `{parameters: [{name, value}]}` list, as n8n's fixedCollections of fields."""
    return {
        "displayName": display,
        "name": name,
        "type": "fixedCollection",
        "typeOptions": {"multipleValues": True},
        "default": {"parameters": [{"name": "", "value": ""}]},
        "displayOptions": {"show": show},
        "options": [
            {
                "name": "parameters",
                "displayName": "Parameter",
                "values": [
                    {"displayName": "Name", "name": "name", "type": "string", "default": ""},
                    # "hidden": the value is taken as the expression gives it (a number
                    # stays a number in a JSON body), as n8n does
                    {"displayName": "Value", "name": "value", "type": "hidden", "default": ""},
                ],
            }
        ],
    }


def _notices(*names: str) -> list[dict[str, Any]]:
    """Parameters of n8n's editor that carry no value for a run (hints, the cURL import)."""
    return [{"displayName": name, "name": name, "type": "notice", "default": ""} for name in names]


def _choice(
    name: str, display: str, values: list[str], default: str, **extra: Any
) -> dict[str, Any]:
    return {
        "displayName": display,
        "name": name,
        "type": "options",
        "default": default,
        "options": [{"name": v, "value": v} for v in values],
        **extra,
    }


_KEYPAIR_OR_JSON = ["keypair", "json"]

_MULTIPART_FIELDS = {
    "displayName": "Body Parameters",
    "name": "bodyParameters",
    "type": "fixedCollection",
    "typeOptions": {"multipleValues": True},
    "default": {"parameters": [{"name": "", "value": ""}]},
    "displayOptions": {"show": {"sendBody": [True], "contentType": ["multipart-form-data"]}},
    "options": [
        {
            "name": "parameters",
            "displayName": "Parameter",
            "values": [
                _choice(
                    "parameterType", "Parameter Type", ["formBinaryData", "formData"], "formData"
                ),
                {"displayName": "Name", "name": "name", "type": "string", "default": ""},
                {"displayName": "Value", "name": "value", "type": "hidden", "default": ""},
                {
                    "displayName": "Input Data Field Name",
                    "name": "inputDataFieldName",
                    "type": "string",
                    "default": "",
                },
            ],
        }
    ],
}


def _redirect_option(follow_by_default: bool) -> dict[str, Any]:
    return {
        "displayName": "Redirects",
        "name": "redirect",
        "type": "fixedCollection",
        "default": {"redirect": {}},
        "options": [
            {
                "name": "redirect",
                "displayName": "Redirect",
                "values": [
                    {
                        "displayName": "Follow Redirects",
                        "name": "followRedirects",
                        "type": "boolean",
                        "default": follow_by_default,
                    },
                    {
                        "displayName": "Max Redirects",
                        "name": "maxRedirects",
                        "type": "number",
                        "default": 21,
                    },
                ],
            }
        ],
    }


_RESPONSE_OPTION = {
    "displayName": "Response",
    "name": "response",
    "type": "fixedCollection",
    "default": {"response": {}},
    "options": [
        {
            "name": "response",
            "displayName": "Response",
            "values": [
                {
                    "displayName": "Include Response Headers and Status",
                    "name": "fullResponse",
                    "type": "boolean",
                    "default": False,
                },
                {
                    "displayName": "Never Error",
                    "name": "neverError",
                    "type": "boolean",
                    "default": False,
                },
                _choice(
                    "responseFormat",
                    "Response Format",
                    ["autodetect", "file", "json", "text"],
                    "autodetect",
                ),
                {
                    "displayName": "Put Output in Field",
                    "name": "outputPropertyName",
                    "type": "string",
                    "default": "data",
                },
            ],
        }
    ],
}

# Pagination values are expressions over $response, $pageCount and $request, evaluated per
# page; the node reads them itself, so they are plain text here.
_PAGINATION_OPTION = {
    "displayName": "Pagination",
    "name": "pagination",
    "type": "fixedCollection",
    "default": {"pagination": {}},
    "options": [
        {
            "name": "pagination",
            "displayName": "Pagination",
            "values": [
                *_notices("webhookNotice"),
                _choice(
                    "paginationMode",
                    "Pagination Mode",
                    ["off", "updateAParameterInEachRequest", "responseContainsNextURL"],
                    "updateAParameterInEachRequest",
                ),
                {"displayName": "Next URL", "name": "nextURL", "type": "string", "default": ""},
                {
                    "displayName": "Parameters",
                    "name": "parameters",
                    "type": "fixedCollection",
                    "typeOptions": {"multipleValues": True},
                    "default": {"parameters": [{"type": "qs", "name": "", "value": ""}]},
                    "options": [
                        {
                            "name": "parameters",
                            "displayName": "Parameter",
                            "values": [
                                _choice("type", "Type", ["body", "headers", "qs"], "qs"),
                                {
                                    "displayName": "Name",
                                    "name": "name",
                                    "type": "string",
                                    "default": "",
                                },
                                {
                                    "displayName": "Value",
                                    "name": "value",
                                    "type": "string",
                                    "default": "",
                                },
                            ],
                        }
                    ],
                },
                _choice(
                    "paginationCompleteWhen",
                    "Pagination Complete When",
                    ["responseIsEmpty", "receiveSpecificStatusCodes", "other"],
                    "responseIsEmpty",
                ),
                {
                    "displayName": "Status Code(s) when Complete",
                    "name": "statusCodesWhenComplete",
                    "type": "string",
                    "default": "",
                },
                {
                    "displayName": "Complete Expression",
                    "name": "completeExpression",
                    "type": "string",
                    "default": "",
                },
                {
                    "displayName": "Limit Pages Fetched",
                    "name": "limitPagesFetched",
                    "type": "boolean",
                    "default": False,
                },
                {
                    "displayName": "Max Pages",
                    "name": "maxRequests",
                    "type": "number",
                    "default": 100,
                },
                {
                    "displayName": "Interval Between Requests (ms)",
                    "name": "requestInterval",
                    "type": "number",
                    "default": 0,
                },
            ],
        }
    ],
}


def _options(version: float) -> dict[str, Any]:
    return {
        "displayName": "Options",
        "name": "options",
        "type": "collection",
        "default": {},
        "options": [
            {
                "displayName": "Batching",
                "name": "batching",
                "type": "fixedCollection",
                "default": {"batch": {}},
                "options": [
                    {
                        "name": "batch",
                        "displayName": "Batching",
                        "values": [
                            {
                                "displayName": "Items per Batch",
                                "name": "batchSize",
                                "type": "number",
                                "default": 50,
                                "typeOptions": {"minValue": -1},
                            },
                            {
                                "displayName": "Batch Interval (ms)",
                                "name": "batchInterval",
                                "type": "number",
                                "default": 1000,
                                "typeOptions": {"minValue": 0},
                            },
                        ],
                    }
                ],
            },
            {
                "displayName": "Ignore SSL Issues (Insecure)",
                "name": "allowUnauthorizedCerts",
                "type": "boolean",
                "noDataExpression": True,
                "default": False,
            },
            _choice(
                "queryParameterArrays",
                "Array Format in Query Parameters",
                ["repeat", "brackets", "indices"],
                "brackets",
            ),
            {
                "displayName": "Lowercase Headers",
                "name": "lowercaseHeaders",
                "type": "boolean",
                "default": True,
            },
            _redirect_option(follow_by_default=version >= 4),
            _RESPONSE_OPTION,
            _PAGINATION_OPTION,
            {"displayName": "Proxy", "name": "proxy", "type": "string", "default": ""},
            {
                "displayName": "Timeout",
                "name": "timeout",
                "type": "number",
                "default": 10000,
                "typeOptions": {"minValue": 1},
                "description": "Milliseconds one request may take, its answer included",
            },
            {
                "displayName": "Concurrency",
                "name": "concurrency",
                "type": "number",
                "default": 4,
                "typeOptions": {"minValue": 1},
                "description": "keitaro-node: requests in flight at once",
            },
            {
                "displayName": "Requests per Second",
                "name": "requestsPerSecond",
                "type": "number",
                "default": 25,
                "typeOptions": {"minValue": 0},
                "description": "keitaro-node: the most request starts per second (0: no limit)",
            },
            {
                "displayName": "Max Response Size (MB)",
                "name": "maxResponseSize",
                "type": "number",
                "default": 32,
                "typeOptions": {"minValue": 0.001},
                "description": "keitaro-node: the largest answer taken, in megabytes",
            },
        ],
    }


def description_data(version: float = VERSIONS[-1]) -> dict[str, Any]:
    """The node's description; parameters as n8n's HTTP Request has them at `version`."""
    body_shown = {"sendBody": [True]}
    return {
        "name": "httpRequest",
        "displayName": "HTTP Request",
        "description": "Makes an HTTP request and returns the response data",
        "version": list(VERSIONS),
        "group": ["output"],
        "defaults": {"name": "HTTP Request"},
        "credentials": [{"name": name, "required": False} for name in GENERIC_TYPES],
        "properties": [
            *_notices(
                "preBuiltAgentsCalloutHttpRequest",
                "curlImport",
                "googleApiWarning",
                "provideSslCertificatesNotice",
                "sslCertificate",
                "infoMessage",
            ),
            _choice(
                "method",
                "Method",
                ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"],
                "GET",
            ),
            {
                "displayName": "URL",
                "name": "url",
                "type": "string",
                "default": "",
                "required": True,
                "placeholder": "http://example.com/index.html",
            },
            _choice(
                "authentication",
                "Authentication",
                ["none", "predefinedCredentialType", "genericCredentialType"],
                "none",
                noDataExpression=True,
            ),
            {
                "displayName": "Credential Type",
                "name": "nodeCredentialType",
                "type": "string",
                "default": "",
                "noDataExpression": True,
                "displayOptions": {"show": {"authentication": ["predefinedCredentialType"]}},
            },
            {
                "displayName": "Generic Auth Type",
                "name": "genericAuthType",
                "type": "string",
                "default": "",
                "noDataExpression": True,
                "displayOptions": {"show": {"authentication": ["genericCredentialType"]}},
            },
            {
                "displayName": "SSL Certificates",
                "name": "provideSslCertificates",
                "type": "boolean",
                "default": False,
            },
            {
                "displayName": "Send Query Parameters",
                "name": "sendQuery",
                "type": "boolean",
                "default": False,
                "noDataExpression": True,
            },
            _choice(
                "specifyQuery",
                "Specify Query Parameters",
                _KEYPAIR_OR_JSON,
                "keypair",
                displayOptions={"show": {"sendQuery": [True]}},
            ),
            _pairs(
                "queryParameters",
                "Query Parameters",
                {"sendQuery": [True], "specifyQuery": ["keypair"]},
            ),
            {
                "displayName": "JSON",
                "name": "jsonQuery",
                "type": "json",
                "default": "",
                "displayOptions": {"show": {"sendQuery": [True], "specifyQuery": ["json"]}},
            },
            {
                "displayName": "Send Headers",
                "name": "sendHeaders",
                "type": "boolean",
                "default": False,
                "noDataExpression": True,
            },
            _choice(
                "specifyHeaders",
                "Specify Headers",
                _KEYPAIR_OR_JSON,
                "keypair",
                displayOptions={"show": {"sendHeaders": [True]}},
            ),
            _pairs(
                "headerParameters",
                "Header Parameters",
                {"sendHeaders": [True], "specifyHeaders": ["keypair"]},
            ),
            {
                "displayName": "JSON",
                "name": "jsonHeaders",
                "type": "json",
                "default": "",
                "displayOptions": {"show": {"sendHeaders": [True], "specifyHeaders": ["json"]}},
            },
            {
                "displayName": "Send Body",
                "name": "sendBody",
                "type": "boolean",
                "default": False,
                "noDataExpression": True,
            },
            _choice(
                "contentType",
                "Body Content Type",
                ["form-urlencoded", "multipart-form-data", "json", "binaryData", "raw"],
                "json",
                displayOptions={"show": body_shown},
            ),
            _choice(
                "specifyBody",
                "Specify Body",
                _KEYPAIR_OR_JSON,
                "keypair",
                displayOptions={"show": {**body_shown, "contentType": ["json"]}},
            ),
            _pairs(
                "bodyParameters",
                "Body Parameters",
                {**body_shown, "contentType": ["json"], "specifyBody": ["keypair"]},
            ),
            {
                "displayName": "JSON",
                "name": "jsonBody",
                "type": "json",
                "default": "",
                "displayOptions": {
                    "show": {**body_shown, "contentType": ["json"], "specifyBody": ["json"]}
                },
            },
            _MULTIPART_FIELDS,
            _choice(
                "specifyBody",
                "Specify Body",
                ["keypair", "string"],
                "keypair",
                displayOptions={"show": {**body_shown, "contentType": ["form-urlencoded"]}},
            ),
            _pairs(
                "bodyParameters",
                "Body Parameters",
                {**body_shown, "contentType": ["form-urlencoded"], "specifyBody": ["keypair"]},
            ),
            {
                "displayName": "Body",
                "name": "body",
                "type": "string",
                "default": "",
                "displayOptions": {"show": {**body_shown, "specifyBody": ["string"]}},
            },
            {
                "displayName": "Input Data Field Name",
                "name": "inputDataFieldName",
                "type": "string",
                "default": "",
                "displayOptions": {"show": {**body_shown, "contentType": ["binaryData"]}},
            },
            {
                "displayName": "Content Type",
                "name": "rawContentType",
                "type": "string",
                "default": "",
                "displayOptions": {"show": {**body_shown, "contentType": ["raw"]}},
            },
            {
                "displayName": "Body",
                "name": "body",
                "type": "string",
                "default": "",
                "displayOptions": {"show": {**body_shown, "contentType": ["raw"]}},
            },
            _options(version),
        ],
    }
