# syntax=docker/dockerfile:1
# escape=`
ARG V=1
FROM --platform=$BUILDPLATFORM golang:${V:-1} AS build
RUN <<EOF <<-"TWO"
echo a | tee b && (cd x; make)
EOF
	cat
	TWO
ONBUILD RUN x `
  y
CMD ["a","b"]
