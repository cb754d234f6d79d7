# go.cmake -- the stage's patched Go: Debian's GOROOT plus this stage's go-patches/ series.
#
# include(cmake/go.cmake) from the stage's CMakeLists.txt, after GO_ROOT is set.
#
# Expects:
#   STAGE                 the stage's name, e.g. 02-rt0
#   GO_ROOT               Debian's GOROOT (default /usr/lib/go-1.19)
#   Python3_EXECUTABLE    from find_package(Python3 COMPONENTS Interpreter); found here if unset
#
# Sets:
#   STAGE_GOROOT          ${CMAKE_CURRENT_BINARY_DIR}/goroot, the patched GOROOT. Build Go with
#                         GOROOT=${STAGE_GOROOT} and Debian's go command; the go command rebuilds
#                         std from the patched sources into GOCACHE by itself.
#   STAGE_GOROOT_STAMP    ${STAGE_GOROOT}/patched.stamp, the custom command's OUTPUT: list it in
#                         the DEPENDS of every custom command that runs go with STAGE_GOROOT.
#   STAGE_GO_PATCHES      the patch files, in order
#   STAGE_GO_ENV          a ready environment for `cmake -E env`: GOROOT=${STAGE_GOROOT} and the
#                         settings stage 01 uses (GOPATH and GOCACHE in the build tree,
#                         GOFLAGS=-mod=mod, GOTOOLCHAIN=local, CGO_ENABLED=1, linux/amd64, CC=gcc)
#   target stage-${STAGE}-goroot
#                         builds the patched GOROOT; target properties UNIGORNEL_GOROOT and
#                         UNIGORNEL_GOROOT_STAMP tell other directories (tests/go-route) where.
#
# Example, the c-archive of the stage:
#   add_custom_command(OUTPUT libgoapp.a libgoapp.h
#     COMMAND ${CMAKE_COMMAND} -E env ${STAGE_GO_ENV}
#             ${GO_EXECUTABLE} build -trimpath -buildmode=c-archive -o ${CMAKE_CURRENT_BINARY_DIR}/libgoapp.a .
#     WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/go
#     DEPENDS go/main.go go/go.mod ${STAGE_GOROOT_STAMP} VERBATIM)
#
# patch_goroot.py is incremental (it rebuilds only when the patches, the script or Go's VERSION
# change) and prints what it applies; a patch that does not apply fails the build naming the
# patch and its rejected hunks.

if(NOT DEFINED STAGE)
  message(FATAL_ERROR "go.cmake: set STAGE before including it")
endif()
if(NOT DEFINED GO_ROOT)
  set(GO_ROOT /usr/lib/go-1.19 CACHE PATH "GOROOT of Debian's golang-1.19-go")
endif()
if(NOT Python3_EXECUTABLE)
  find_package(Python3 REQUIRED COMPONENTS Interpreter)
endif()

get_filename_component(_go_stage_dir ${CMAKE_CURRENT_LIST_DIR} DIRECTORY)
set(_go_patch_tool ${_go_stage_dir}/tools/patch_goroot.py)
file(GLOB STAGE_GO_PATCHES CONFIGURE_DEPENDS ${_go_stage_dir}/go-patches/*.patch)
list(SORT STAGE_GO_PATCHES)
if(NOT STAGE_GO_PATCHES)
  message(FATAL_ERROR "go.cmake: no patches in ${_go_stage_dir}/go-patches")
endif()
if(NOT EXISTS ${GO_ROOT}/src/runtime/sys_linux_amd64.s)
  message(FATAL_ERROR "go.cmake: ${GO_ROOT} has no Go sources; install golang-1.19-src")
endif()

set(STAGE_GOROOT ${CMAKE_CURRENT_BINARY_DIR}/goroot)
set(STAGE_GOROOT_STAMP ${STAGE_GOROOT}/patched.stamp)
set(STAGE_GO_ENV GOROOT=${STAGE_GOROOT} GOPATH=${CMAKE_BINARY_DIR}/go-path
                 GOCACHE=${CMAKE_BINARY_DIR}/go-cache GOFLAGS=-mod=mod GOTOOLCHAIN=local
                 GO111MODULE=on CGO_ENABLED=1 GOOS=linux GOARCH=amd64 CC=gcc)

add_custom_command(
  OUTPUT ${STAGE_GOROOT_STAMP}
  COMMAND ${Python3_EXECUTABLE} ${_go_patch_tool}
          --goroot ${GO_ROOT} --patches ${_go_stage_dir}/go-patches --out ${STAGE_GOROOT}
  DEPENDS ${STAGE_GO_PATCHES} ${_go_patch_tool} ${GO_ROOT}/VERSION
  COMMENT "${STAGE}: patched GOROOT (go-patches/ on ${GO_ROOT})"
  VERBATIM)
add_custom_target(stage-${STAGE}-goroot DEPENDS ${STAGE_GOROOT_STAMP})
set_target_properties(stage-${STAGE}-goroot PROPERTIES
  UNIGORNEL_GOROOT ${STAGE_GOROOT}
  UNIGORNEL_GOROOT_STAMP ${STAGE_GOROOT_STAMP})
