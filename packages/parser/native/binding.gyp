{
  "variables": {
    "jato_sanitize%": "<!(node -p \"process.env.JATO_SANITIZE === '1' ? 1 : 0\")",
    "jato_prebuilt%": "<!(node -p \"process.env.JATO_PREBUILT === '1' ? 1 : 0\")"
  },
  "targets": [
    {
      "target_name": "jato_parser",
      "sources": ["addon.cc"],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "../include",
        "."
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc!": ["-std=gnu++17", "-std=gnu++14"],
      "cflags_cc": ["-O3", "-std=c++17", "-Wall", "-Wextra"],
      "conditions": [
        ["jato_sanitize==1", {
          "cflags_cc": ["-fsanitize=address,undefined", "-fno-omit-frame-pointer", "-g", "-O1"],
          "ldflags": ["-fsanitize=address,undefined"]
        }],
        ["jato_prebuilt==1 and OS=='linux'", { "sources": ["../prebuilt/glibcxx_compat.cc"] }]
      ]
    }
  ]
}
