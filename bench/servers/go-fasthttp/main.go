// Go valyala/fasthttp peer: GET / -> Hello world! (text/plain). PORT from the environment; GOMAXPROCS=1.
package main

import (
	"os"

	"github.com/valyala/fasthttp"
)

func main() {
	body := []byte("Hello world!")
	handler := func(ctx *fasthttp.RequestCtx) {
		ctx.SetContentType("text/plain")
		ctx.SetBody(body)
	}
	host := os.Getenv("HOST")
	if host == "" {
		host = "127.0.0.1"
	}
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	server := &fasthttp.Server{Handler: handler, Name: "fasthttp"}
	if err := server.ListenAndServe(host + ":" + port); err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
}
