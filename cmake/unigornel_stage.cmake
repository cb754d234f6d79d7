# unigornel_stage.cmake -- how every stage is built: its Go program as a c-archive (with the
# stage's go-patches/ applied to a copy of Debian's Go 1.19, when it has them) and its kernel,
# linked twice so that the second link embeds the first one's symbol table.
#
# Build tooling is not a milestone, so it lives once, here and in tools/ (patch_goroot.py,
# gen_ksyms.py); a stage's CMakeLists.txt says only what the stage is made of:
#
#   include(${CMAKE_CURRENT_LIST_DIR}/../../cmake/unigornel_stage.cmake)
#   unigornel_stage(TITLE "Go prints through fmt.Println"
#                   SOURCES kernel/arch/boot.S kernel/main.cpp ...)
#
# The stage's name is its directory's name (06-hello).  The kernel sees it, and the title, as
# the string macros UNIGORNEL_STAGE and UNIGORNEL_STAGE_TITLE (the banner in main.cpp, the
# ELF note in boot.S, the cgo demo in go_api.cpp), so that no source file changes only because
# it was copied into the next stage.
#
# Targets (for stage 06-hello):
#   stage-06-hello          kernel.elf in the stage's build directory (without debug
#                           information; kernel.debug.elf keeps it for gdb and addr2line)
#   stage-06-hello-go       the c-archive libgoapp.a (and libgoapp.h)
#   stage-06-hello-goroot   (stages with go-patches/) the patched GOROOT; its target properties
#                           UNIGORNEL_GOROOT and UNIGORNEL_GOROOT_STAMP tell tests/go-route where
#
# Cache variables: GO_ROOT (Debian's GOROOT, /usr/lib/go-1.19).

include_guard(DIRECTORY)

get_filename_component(UNIGORNEL_KIT_ROOT ${CMAKE_CURRENT_LIST_DIR}/.. ABSOLUTE)
set(UNIGORNEL_PATCH_GOROOT ${UNIGORNEL_KIT_ROOT}/tools/patch_goroot.py)
set(UNIGORNEL_GEN_KSYMS ${UNIGORNEL_KIT_ROOT}/tools/gen_ksyms.py)

set(GO_ROOT /usr/lib/go-1.19 CACHE PATH "GOROOT of Debian's golang-1.19-go")
find_program(GO_EXECUTABLE go PATHS ${GO_ROOT}/bin NO_DEFAULT_PATH REQUIRED)
find_package(Python3 REQUIRED COMPONENTS Interpreter)

# The stage's Go program (go/) as a c-archive.  Sets, in the caller's scope, GO_ARCHIVE.
function(_unigornel_go_archive stage)
  set(target stage-${stage})
  set(go_patches_dir ${CMAKE_CURRENT_SOURCE_DIR}/go-patches)
  set(goroot ${GO_ROOT})
  set(goroot_deps "")
  if(IS_DIRECTORY ${go_patches_dir})
    # patch_goroot.py is incremental (it rebuilds only when the patches, the script or Go's
    # VERSION change) and prints what it applies; a patch that does not apply fails the build
    # naming the patch and its rejected hunks.  The go command rebuilds std from the patched
    # sources into GOCACHE by itself: no make.bash (the series does not touch cmd/).
    file(GLOB patches CONFIGURE_DEPENDS ${go_patches_dir}/*.patch)
    list(SORT patches)
    if(NOT patches)
      message(FATAL_ERROR "${stage}: go-patches/ holds no .patch files")
    endif()
    if(NOT EXISTS ${GO_ROOT}/src/runtime/sys_linux_amd64.s)
      message(FATAL_ERROR "${stage}: ${GO_ROOT} has no Go sources; install golang-1.19-src")
    endif()
    set(goroot ${CMAKE_CURRENT_BINARY_DIR}/goroot)
    set(stamp ${goroot}/patched.stamp)
    add_custom_command(
      OUTPUT ${stamp}
      COMMAND ${Python3_EXECUTABLE} ${UNIGORNEL_PATCH_GOROOT}
              --goroot ${GO_ROOT} --patches ${go_patches_dir} --out ${goroot}
      # The directory too: a patch removed from the series changes only the directory's time,
      # and the stamp would otherwise stay newer than every patch that is left.
      DEPENDS ${patches} ${go_patches_dir} ${UNIGORNEL_PATCH_GOROOT} ${GO_ROOT}/VERSION
      COMMENT "${stage}: patched GOROOT (go-patches/ on ${GO_ROOT})"
      VERBATIM)
    add_custom_target(${target}-goroot DEPENDS ${stamp})
    set_target_properties(${target}-goroot PROPERTIES UNIGORNEL_GOROOT ${goroot} UNIGORNEL_GOROOT_STAMP ${stamp})
    set(goroot_deps ${stamp})
    set(what "Debian Go 1.19 + go-patches")
  else()
    set(what "Debian Go 1.19, unpatched")
  endif()

  # GOPATH and GOCACHE in the build tree: nothing is written to the user's home, and every stage
  # shares one cache (the patched std of one stage is not rebuilt for the next unless it differs).
  set(go_env GOROOT=${goroot} GOPATH=${CMAKE_BINARY_DIR}/go-path GOCACHE=${CMAKE_BINARY_DIR}/go-cache
             GOFLAGS=-mod=mod GOTOOLCHAIN=local GO111MODULE=on CGO_ENABLED=1 GOOS=linux GOARCH=amd64 CC=gcc)
  set(archive ${CMAKE_CURRENT_BINARY_DIR}/libgoapp.a)
  file(GLOB go_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/go/*.go)
  add_custom_command(
    OUTPUT ${archive} ${CMAKE_CURRENT_BINARY_DIR}/libgoapp.h
    COMMAND ${CMAKE_COMMAND} -E env ${go_env}
            ${GO_EXECUTABLE} build -trimpath -buildmode=c-archive -o ${archive} .
    WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/go
    DEPENDS ${go_sources} ${CMAKE_CURRENT_SOURCE_DIR}/go/go.mod ${goroot_deps}
    COMMENT "${stage}: go build -buildmode=c-archive (${what})"
    VERBATIM)
  add_custom_target(${target}-go DEPENDS ${archive})
  if(TARGET ${target}-goroot)
    # Both targets carry the stamp's rule; ordering them keeps two parallel make jobs from
    # patching the same GOROOT at once.
    add_dependencies(${target}-go ${target}-goroot)
  endif()
  set(GO_ARCHIVE ${archive} PARENT_SCOPE)
endfunction()

# unigornel_stage(TITLE <one line> SOURCES <kernel sources>...)
function(unigornel_stage)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "TITLE" "SOURCES")
  get_filename_component(stage ${CMAKE_CURRENT_SOURCE_DIR} NAME)
  if(NOT stage MATCHES "^[0-9][0-9]-[a-z0-9-]+$")
    message(FATAL_ERROR "unigornel_stage: a stage lives in stages/NN-name, not in ${CMAKE_CURRENT_SOURCE_DIR}")
  endif()
  if(NOT arg_TITLE OR NOT arg_SOURCES)
    message(FATAL_ERROR "unigornel_stage(${stage}): TITLE and SOURCES are required")
  endif()
  set(target stage-${stage})
  _unigornel_go_archive(${stage})

  # --- Kernel objects --------------------------------------------------------------------------
  add_library(${target}-objs OBJECT ${arg_SOURCES})
  target_compile_definitions(${target}-objs PRIVATE
    UNIGORNEL_STAGE="${stage}" UNIGORNEL_STAGE_TITLE="${arg_TITLE}")
  target_compile_options(${target}-objs PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:-std=c++20 -fno-exceptions -fno-rtti -fno-threadsafe-statics -fno-use-cxa-atexit>
    # -mgeneral-regs-only: the kernel never touches SSE/x87 registers, so neither a system call
    # nor a thread switch has to save the floating-point state Go's code may be using.
    -mgeneral-regs-only -ffreestanding -fno-builtin -fno-stack-protector -fno-pic -fno-pie -mno-red-zone
    -fno-asynchronous-unwind-tables -fno-omit-frame-pointer -fno-tree-loop-distribute-patterns
    -O2 -g -Wall -Wextra)

  # --- Two-pass link: the second pass embeds the first pass's symbol table ----------------------
  # Pass 1 links with an empty .ksyms table; nm lists its symbols; gen_ksyms.py writes them as
  # assembly; the final link puts that table where the empty one was.  .ksyms is the image's last
  # loadable segment (kernel/linker.ld), so its size can change without moving any other symbol.
  set(link_script ${CMAKE_CURRENT_SOURCE_DIR}/kernel/linker.ld)
  set(link_options -nostdlib -static -no-pie -Wl,-T,${link_script} -Wl,--build-id=none -Wl,-z,noexecstack
                   -Wl,--no-warn-rwx-segments)
  set(ksyms_empty ${CMAKE_CURRENT_BINARY_DIR}/ksyms_empty.S)
  set(ksyms_full ${CMAKE_CURRENT_BINARY_DIR}/ksyms.S)
  add_custom_command(OUTPUT ${ksyms_empty} COMMAND ${Python3_EXECUTABLE} ${UNIGORNEL_GEN_KSYMS} ${ksyms_empty}
                     DEPENDS ${UNIGORNEL_GEN_KSYMS} VERBATIM)

  foreach(pass pass1 final)
    if(pass STREQUAL pass1)
      set(exe ${target}-pass1)
      add_executable(${exe} ${ksyms_empty})
      set_target_properties(${exe} PROPERTIES OUTPUT_NAME kernel.pass1.elf SUFFIX "")
    else()
      set(exe ${target})
      add_executable(${exe} ${ksyms_full})
      set_target_properties(${exe} PROPERTIES OUTPUT_NAME kernel.elf SUFFIX "")
    endif()
    target_sources(${exe} PRIVATE $<TARGET_OBJECTS:${target}-objs>)
    target_link_options(${exe} PRIVATE ${link_options})
    target_link_libraries(${exe} PRIVATE ${GO_ARCHIVE} gcc)
    add_dependencies(${exe} ${target}-go)
    set_target_properties(${exe} PROPERTIES LINK_DEPENDS "${link_script};${GO_ARCHIVE}" LINKER_LANGUAGE CXX
                          RUNTIME_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
  endforeach()

  add_custom_command(
    OUTPUT ${ksyms_full}
    COMMAND nm -n --print-size --defined-only $<TARGET_FILE:${target}-pass1> > ksyms.nm
    COMMAND ${Python3_EXECUTABLE} ${UNIGORNEL_GEN_KSYMS} ${ksyms_full} ksyms.nm
    DEPENDS ${target}-pass1 ${UNIGORNEL_GEN_KSYMS}
    WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}
    COMMENT "${stage}: symbol table from the first link"
    VERBATIM)

  # Xen boots kernel.elf without debug information or symbol table (1.46 MB instead of 3.7 MB
  # for stage 06; the ELF symbol table alone was 150 KB); kernel.debug.elf keeps both for gdb,
  # addr2line and the checker's symbolised reports.  The kernel's own fault report needs
  # neither: it uses the .ksyms table, which is loaded with the image.
  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND ${CMAKE_COMMAND} -E copy kernel.elf kernel.debug.elf
    COMMAND ${CMAKE_OBJCOPY} --strip-all kernel.elf
    WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}
    COMMENT "${stage}: kernel.elf without debug information or symbols (kernel.debug.elf keeps them)"
    VERBATIM)
endfunction()
