# ovad build. `make` builds build/libovad.a and build/ovad; `make test` runs every Check suite;
# `make asan` runs them again under AddressSanitizer + UndefinedBehaviorSanitizer; `make bench`
# runs the benchmarks. BUILD=dir puts outputs elsewhere (the sanitizer build uses build-asan).

CC      ?= gcc
BUILD   ?= build
OPT     ?= -O3
SAN     ?=
CFLAGS  += -std=gnu11 -g $(OPT) -Wall -Wextra -Wshadow -Wno-missing-field-initializers -fopenmp -I. $(SAN)
CPPFLAGS += -MMD -MP
MEDIA_LIBS := $(shell pkg-config --libs libpng libjpeg libavformat libavcodec libswscale libavutil matio libpcre2-8 2>/dev/null || \
                echo -lpng -ljpeg -lavformat -lavcodec -lswscale -lavutil -lmatio -lpcre2-8)
LDLIBS  += $(MEDIA_LIBS) -lcjson -lz -lm
LDFLAGS += -fopenmp $(SAN)
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lrt -lpthread)
# CUDA: with nvcc on the PATH (or NVCC=...), `make` also builds the real backend for sm_80 and
# sm_90 and links it into build/ovad; CUDA=0 turns that off (build/ovad then carries the emulated
# backend, usable with OVAD_CUDA_EMULATE=1). Warnings are errors; ptxas resource use is kept in
# build/cuda/*.ptxas and summarised by `make cuda-resources`.
NVCC    ?= $(or $(shell command -v nvcc 2>/dev/null),$(wildcard /usr/local/cuda/bin/nvcc))
CUDA    ?= $(if $(NVCC),1,0)
CUDA_HOME ?= $(patsubst %/bin/nvcc,%,$(NVCC))
CUDA_ARCHS ?= 80 90
NVCCFLAGS = -std=c++17 -I. -O3 -lineinfo $(foreach a,$(CUDA_ARCHS),-gencode arch=compute_$(a),code=sm_$(a)) \
            -Werror all-warnings -Xcompiler -Wall,-Wextra,-fopenmp -Xptxas -v
CUDA_LIBS = -L$(CUDA_HOME)/lib64 -Wl,-rpath,$(CUDA_HOME)/lib64 -lcudart_static -lcublas -ldl -lrt -lpthread
# The CUDA kernels (.cu) also build with g++ against the emulator (kernels/emu) for the tests.
CXX     ?= g++
EMU_CXXFLAGS = -std=gnu++17 -g $(OPT) -Wall -Wextra -Wshadow -Wno-missing-field-initializers -fopenmp -I. \
               -fno-exceptions -fno-rtti $(SAN)

LIB_DIRS := tensor autograd autograd/ops kernels/cpu nn optim data eval models examples
LIB_SRC  := $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_SRC  := $(wildcard cli/*.c)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
ALL_TEST_SRC := $(wildcard tests/test_*.c)
TEST_SRC := $(ALL_TEST_SRC)
ifeq ($(GPU),1) # the emulator's own tests (deliberately broken kernels) make no sense on a GPU
TEST_SRC := $(filter-out tests/test_emu.c,$(TEST_SRC))
endif
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
TEST_UTIL_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(filter-out $(ALL_TEST_SRC),$(wildcard tests/*.c)))
CUDA_SRC := $(wildcard kernels/cuda/*.cu)
EMU_OBJ  := $(CUDA_SRC:%.cu=$(BUILD)/emu/%.o) $(patsubst %.cpp,$(BUILD)/emu/%.o,$(wildcard kernels/emu/*.cpp))
TEST_CU_OBJ := $(if $(filter 1,$(GPU)),,$(patsubst %.cu,$(BUILD)/emu/%.o,$(wildcard tests/*.cu)))
NV_OBJ   := $(CUDA_SRC:%.cu=$(BUILD)/cuda/%.o)
ifeq ($(CUDA),1)
BACKEND_LIB := $(BUILD)/libovad_cuda.a
BACKEND_LINK := $(CUDA_LIBS)
else
BACKEND_LIB := $(BUILD)/libovad_cudaemu.a
BACKEND_LINK :=
endif

.PHONY: all test asan check gpu-test fuzz bench fixtures clean cuda-resources
all: $(BUILD)/libovad.a $(BUILD)/ovad

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/libovad.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

$(BUILD)/emu/%.o: %.cu
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) $(EMU_CXXFLAGS) -x c++ -include kernels/emu/cuda_emu.h -c $< -o $@

$(BUILD)/emu/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) $(EMU_CXXFLAGS) -c $< -o $@

$(BUILD)/cuda/%.o: %.cu
	@mkdir -p $(dir $@)
	$(NVCC) $(NVCCFLAGS) -c $< -o $@ 2> $@.ptxas || { cat $@.ptxas; rm -f $@; exit 1; }

# The real CUDA backend (nvcc), linked into build/ovad when CUDA=1.
$(BUILD)/libovad_cuda.a: $(NV_OBJ)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

# The emulated CUDA backend, linked into the test programs.
$(BUILD)/libovad_cudaemu.a: $(EMU_OBJ)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

# The libraries refer to each other (tensors allocate device memory; kernels panic), hence the group.
# Tests link the emulated backend, or the real one under `make gpu-test` (GPU=1).
TEST_BACKEND := $(if $(filter 1,$(GPU)),$(BUILD)/libovad_cuda.a,$(BUILD)/libovad_cudaemu.a)
TEST_BACKEND_LINK := $(if $(filter 1,$(GPU)),$(CUDA_LIBS),)
LINK_LIBS = -Wl,--start-group $(BUILD)/libovad.a $(TEST_BACKEND) -Wl,--end-group $(TEST_BACKEND_LINK)

$(BUILD)/ovad: $(CLI_OBJ) $(BUILD)/libovad.a $(BACKEND_LIB)
	$(CC) $(LDFLAGS) $(CLI_OBJ) -Wl,--start-group $(BUILD)/libovad.a $(BACKEND_LIB) -Wl,--end-group \
	  $(BACKEND_LINK) $(LDLIBS) -lstdc++ -o $@

# Register, spill and shared-memory use of every kernel, from the ptxas logs of the nvcc build.
cuda-resources: $(BUILD)/libovad_cuda.a
	@cat $(NV_OBJ:=.ptxas) | awk '/Compiling entry function/ {k=$$7; a=$$9; gsub("\047","",k); gsub("\047","",a)} \
	  /bytes stack frame/ {sp=$$5} \
	  /Used [0-9]+ registers/ {sm=0; for (i=1;i<NF;i++) if ($$(i+1) ~ /^smem/) sm=$$(i-1); \
	    printf "%-6s regs %4s  spill %4s B  smem %6s B  %s\n", a, $$5, sp, sm, k}' | c++filt

# The suites' shared helpers (check_util, mutate, vision_parity, ...) as an archive, so that each
# suite links only the helpers (and through them the library parts) it uses.
$(BUILD)/libovad_testutil.a: $(TEST_UTIL_OBJ)
	ar rcs $@ $^

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(BUILD)/libovad_testutil.a $(TEST_CU_OBJ) $(TEST_BACKEND) $(BUILD)/libovad.a
	$(CC) $(LDFLAGS) $< $(TEST_CU_OBJ) $(BUILD)/libovad_testutil.a $(LINK_LIBS) $(CHECK_LIBS) $(LDLIBS) -lstdc++ -o $@

# Every suite runs even if an earlier one fails; the target fails if any did.
test: $(TEST_BIN) $(BUILD)/ovad
	@failed=""; for t in $(TEST_BIN); do \
	  echo "== $$t"; OVAD_BIN=$(BUILD)/ovad $$t || failed="$$failed $$t"; done; \
	if [ -n "$$failed" ]; then echo "FAILED:$$failed"; exit 1; else echo "all suites passed"; fi

# The same suites on a real GPU (the CUDA backend built by nvcc), then compute-sanitizer's memcheck
# and racecheck over the op table when the toolkit has it.
gpu-test:
	$(MAKE) BUILD=build-gpu GPU=1 CUDA=1 test
	@cs=$$(command -v compute-sanitizer || ls $(CUDA_HOME)/bin/compute-sanitizer 2>/dev/null); \
	if [ -n "$$cs" ]; then \
	  echo "== compute-sanitizer memcheck"; CK_FORK=no $$cs --tool memcheck --error-exitcode 1 build-gpu/tests/test_ops && \
	  echo "== compute-sanitizer racecheck"; CK_FORK=no $$cs --tool racecheck --error-exitcode 1 build-gpu/tests/test_ops; \
	else echo "compute-sanitizer not found: skipped"; fi

asan:
	$(MAKE) BUILD=build-asan OPT=-O1 SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" test

# What CI runs: the suites, then the same suites under the sanitizers.
check:
	$(MAKE) test
	$(MAKE) asan

# Coverage-guided fuzzing of the file parsers (clang + libFuzzer). FUZZ_SECONDS per target.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
# The parsers are instrumented (clang); the emulated CUDA backend links in uninstrumented.
fuzz: $(BUILD)/libovad_cudaemu.a
	@mkdir -p build-fuzz
	@for t in $(FUZZ_TARGETS); do \
	  clang -std=gnu11 -g -O1 -I. -fsanitize=fuzzer,address,undefined -fopenmp=libgomp \
	    tests/fuzz/$$t.c $(LIB_SRC) $(BUILD)/libovad_cudaemu.a $(LDLIBS) -lstdc++ -o build-fuzz/$$t || exit 1; \
	  corpus=tests/fuzz/corpus/$${t#fuzz_}; mkdir -p build-fuzz/corpus-$$t; \
	  echo "== fuzzing $$t for $(FUZZ_SECONDS) s"; \
	  build-fuzz/$$t -artifact_prefix=build-fuzz/ -max_total_time=$(FUZZ_SECONDS) -max_len=4096 build-fuzz/corpus-$$t $$corpus || exit 1; \
	done

bench: $(BUILD)/ovad
	$(BUILD)/ovad bench all

# Regenerates the PyTorch/scipy fixtures (needs python3-torch, torchvision, scipy; never needed to
# build or test). Every tools/gen_*_fixtures.py writes under tests/fixtures/.
fixtures:
	/usr/bin/python3 tools/gen_op_fixtures.py tests/fixtures/ops
	@for g in $(filter-out tools/gen_op_fixtures.py,$(wildcard tools/gen_*_fixtures.py)); do \
	  echo "== $$g"; /usr/bin/python3 $$g || exit 1; done

clean:
	rm -rf build build-asan build-fuzz build-gpu

-include $(NV_OBJ:.o=.d) $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_BIN:=.d) $(TEST_UTIL_OBJ:.o=.d) $(EMU_OBJ:.o=.d) $(TEST_CU_OBJ:.o=.d)
