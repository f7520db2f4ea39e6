// What the Python layer shares, over the CPython API alone (no binding library): references to Python objects,
// Python exceptions carried through C++ to the binding that raises them, refusals raised as TypeError /
// ValueError, one-time initialisation that is safe under the GIL, and releases of Python-owned memory that take
// the GIL. The binding adapters (pybind11.hpp, nanobind.hpp) are built on this layer and on nothing of each other.
#ifndef XTENSOR_TORCH_PYTHON_COMMON_HPP
#define XTENSOR_TORCH_PYTHON_COMMON_HPP

#include "../config.hpp"  // first: it stops a compilation below C++17 with a clear message

#include <Python.h>

#include <atomic>
#include <complex>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <utility>

#include "../xtensor-torch.hpp"

namespace xtorch
{
    namespace python
    {
        namespace detail
        {
            /// An owned reference to a Python object (null allowed), dropped when it goes.
            class object
            {
            public:

                object() = default;

                /// Takes over the reference `p` (a new reference, as most of the CPython API returns).
                static object steal(PyObject* p) noexcept
                {
                    object o;
                    o.p_object = p;
                    return o;
                }

                /// A new reference to `p`.
                static object borrow(PyObject* p) noexcept
                {
                    Py_XINCREF(p);
                    return steal(p);
                }

                object(object&& other) noexcept
                    : p_object(other.release())
                {
                }

                object& operator=(object&& other) noexcept
                {
                    if (this != &other)
                    {
                        Py_XDECREF(p_object);
                        p_object = other.release();
                    }
                    return *this;
                }

                object(const object&) = delete;
                object& operator=(const object&) = delete;

                ~object()
                {
                    Py_XDECREF(p_object);
                }

                PyObject* get() const noexcept
                {
                    return p_object;
                }

                /// The reference, given up to the caller.
                PyObject* release() noexcept
                {
                    PyObject* p = p_object;
                    p_object = nullptr;
                    return p;
                }

                explicit operator bool() const noexcept
                {
                    return p_object != nullptr;
                }

            private:

                PyObject* p_object = nullptr;
            };

            /// str(o) as UTF-8, or "" where it has none.
            inline std::string text_of(PyObject* o)
            {
                const object s = object::steal(o ? PyObject_Str(o) : nullptr);
                const char* utf8 = s ? PyUnicode_AsUTF8(s.get()) : nullptr;
                if (utf8 == nullptr)
                {
                    PyErr_Clear();
                    return {};
                }
                return utf8;
            }
        }

        /**
         * A Python exception on its way through C++: either a refusal of this library (a Python exception type
         * and a message), or an exception Python raised, taken from the interpreter (fetch). The binding's entry
         * point gives it back to Python with restore() (pybind11's and nanobind's casters do, and the translator
         * that import_torch registers does for bound functions). what() is the message, so that a handler of
         * std::exception (a module's init) still says what went wrong.
         */
        class python_exception : public std::exception
        {
        public:

            /// A refusal: Python raises `type` (PyExc_TypeError, PyExc_ValueError, ...) with `message`.
            python_exception(PyObject* type, std::string message)
                : m_type(type)
                , m_message(std::move(message))
            {
            }

            /// The exception Python has set (PyErr_Occurred()), taken from the interpreter; the GIL is held.
            static python_exception fetch()
            {
                python_exception e(nullptr, std::string());
                auto* state = new raised();
#if PY_VERSION_HEX >= 0x030C0000
                state->value = PyErr_GetRaisedException();
#else
                PyErr_Fetch(&state->type, &state->value, &state->traceback);
                PyErr_NormalizeException(&state->type, &state->value, &state->traceback);
#endif
                e.m_raised.reset(state);
                e.m_message = detail::text_of(state->value);
                if (e.m_message.empty())
                {
                    e.m_message = "a Python exception";
                }
                return e;
            }

            const char* what() const noexcept override
            {
                return m_message.c_str();
            }

            /// Whether this is the library's own refusal, not an exception that Python code raised.
            bool is_refusal() const noexcept
            {
                return m_raised == nullptr;
            }

            /// Sets this exception in the interpreter (the GIL is held); a fetched one can be restored once.
            void restore() const
            {
                if (m_raised == nullptr)
                {
                    PyErr_SetString(m_type, m_message.c_str());
                    return;
                }
#if PY_VERSION_HEX >= 0x030C0000
                PyErr_SetRaisedException(m_raised->value);
#else
                PyErr_Restore(m_raised->type, m_raised->value, m_raised->traceback);
                m_raised->type = nullptr;
                m_raised->traceback = nullptr;
#endif
                m_raised->value = nullptr;
            }

        private:

            /// What was fetched: the exception (Python 3.12+), or type, value and traceback before that.
            struct raised
            {
                PyObject* type = nullptr;
                PyObject* value = nullptr;
                PyObject* traceback = nullptr;

                ~raised()
                {
                    // Dropped where an exception was caught and not restored; only then under the GIL.
                    if (type != nullptr || value != nullptr || traceback != nullptr)
                    {
                        Py_XDECREF(type);
                        Py_XDECREF(value);
                        Py_XDECREF(traceback);
                    }
                }
            };

            PyObject* m_type;
            std::string m_message;
            std::shared_ptr<raised> m_raised;  // exceptions are copied; the references are not
        };

        namespace detail
        {
            /// The exception Python has just raised (a CPython call returned null or -1), thrown through C++.
            [[noreturn]] inline void throw_raised()
            {
                throw python_exception::fetch();
            }

            [[noreturn]] inline void raise_type_error(const xtorch::detail::call_site& what,
                                                      const std::string& problem, const std::string& found,
                                                      const std::string& expected, const std::string& fix)
            {
                throw python_exception(PyExc_TypeError,
                                       xtorch::detail::refusal_message(what, problem, found, expected, fix));
            }

            [[noreturn]] inline void raise_value_error(const xtorch::detail::call_site& what,
                                                       const std::string& problem, const std::string& found,
                                                       const std::string& expected, const std::string& fix)
            {
                throw python_exception(PyExc_ValueError,
                                       xtorch::detail::refusal_message(what, problem, found, expected, fix));
            }

            /// The GIL, released for the scope by a thread that holds it.
            class gil_released
            {
            public:

                gil_released()
                    : m_state(PyEval_SaveThread())
                {
                }

                ~gil_released()
                {
                    PyEval_RestoreThread(m_state);
                }

                gil_released(const gil_released&) = delete;
                gil_released& operator=(const gil_released&) = delete;

            private:

                PyThreadState* m_state;
            };

            /// The GIL, taken for the scope by any thread.
            class gil_taken
            {
            public:

                gil_taken()
                    : m_state(PyGILState_Ensure())
                {
                }

                ~gil_taken()
                {
                    PyGILState_Release(m_state);
                }

                gil_taken(const gil_taken&) = delete;
                gil_taken& operator=(const gil_taken&) = delete;

            private:

                PyGILState_STATE m_state;
            };

            /**
             * The value `make()` returns, made once per process (per Tag) and kept: the first caller makes it
             * with the GIL held, and the others wait with the GIL released, so that a maker that runs Python code
             * (which may switch threads) cannot deadlock against a waiter that holds the GIL. A maker that throws
             * leaves it to the next caller.
             */
            template <class Tag, class T, class Make>
            const T& made_once(Make&& make)
            {
                static std::atomic<bool> ready{false};
                static std::once_flag once;
                static T stored;
                if (!ready.load(std::memory_order_acquire))
                {
                    const gil_released waiting;
                    std::call_once(once,
                                   [&]
                                   {
                                       const gil_taken making;
                                       stored = make();
                                   });
                    ready.store(true, std::memory_order_release);
                }
                return stored;
            }

            /// Whether the interpreter can still run Python code: memory freed while it shuts down is
            /// left to the process's exit rather than touched without an interpreter.
            inline bool python_alive()
            {
#if PY_VERSION_HEX >= 0x030D0000
                return Py_IsInitialized() && !Py_IsFinalizing();
#else
                return Py_IsInitialized() && !_Py_IsFinalizing();
#endif
            }

            /// Whether this thread holds the GIL (in a free-threaded build: has an attached thread state).
            inline bool holds_gil()
            {
#if PY_VERSION_HEX >= 0x030D0000
                return PyThreadState_GetUnchecked() != nullptr;
#elif PY_VERSION_HEX >= 0x030C0000
                // 3.12: the current thread state is thread-local, null while this thread runs without the GIL.
                return _PyThreadState_UncheckedGet() != nullptr;
#else
                // Before 3.12 the current thread state is the GIL holder's, whichever thread asks: it is this
                // thread's only when it is the one this thread's PyGILState calls use.
                PyThreadState* const mine = PyGILState_GetThisThreadState();
                return mine != nullptr && _PyThreadState_UncheckedGet() == mine;
#endif
            }

            /// The deleter of storages over Python-owned memory: drops the reference, with the GIL,
            /// from whichever thread frees the last view. Most views die inside the call that made them,
            /// where the GIL is held already: taking it again (PyGILState_Ensure) would cost as much as
            /// the rest of a view parameter's release.
            inline void release_py_object(void* object)
            {
                if (!python_alive())
                {
                    return;
                }
                if (holds_gil())
                {
                    Py_DECREF(static_cast<PyObject*>(object));
                    return;
                }
                const gil_taken locked;
                Py_DECREF(static_cast<PyObject*>(object));
            }

            /// The release of DLPack tensors (legacy or 1.x) from Python producers: their deleters touch
            /// Python objects.
            template <class M>
            void release_dlpack_with_gil(M* managed)
            {
                if (managed->deleter == nullptr || !python_alive())
                {
                    return;
                }
                const gil_taken locked;
                managed->deleter(managed);
            }

            /**
             * The signature a binding shows for a parameter or result of element type T and rank Rank (-1: any):
             * "torch.Tensor[float32]", "torch.Tensor[float32, ndim=2]". `Namer` makes the binding library's
             * compile-time text: text("...") and rank_text<Rank>() (", ndim=2").
             */
            template <class Namer, class T>
            struct dtype_descr
            {
                static_assert(is_supported_type_v<T>, XTENSOR_TORCH_UNSUPPORTED_TYPE_MESSAGE);
                static constexpr auto name = Namer::text("unsupported");
            };

#define XTENSOR_TORCH_DTYPE_DESCR(CPP_TYPE, SCALAR_TYPE, PYTHON_NAME, ...) \
    template <class Namer>                                                \
    struct dtype_descr<Namer, CPP_TYPE>                                   \
    {                                                                     \
        static constexpr auto name = Namer::text(PYTHON_NAME);            \
    };
            XTENSOR_TORCH_DTYPE_TABLE(XTENSOR_TORCH_DTYPE_DESCR)
#undef XTENSOR_TORCH_DTYPE_DESCR
            template <class Namer>
            struct dtype_descr<Namer, c10::complex<float>> : dtype_descr<Namer, std::complex<float>>
            {
            };
            template <class Namer>
            struct dtype_descr<Namer, c10::complex<double>> : dtype_descr<Namer, std::complex<double>>
            {
            };

            template <class Namer, class T, std::int64_t Rank>
            struct tensor_descr
            {
                static constexpr auto name = Namer::text("torch.Tensor[") + dtype_descr<Namer, std::remove_const_t<T>>::name
                                             + Namer::template rank_text<Rank>() + Namer::text("]");
            };

            /**
             * How a result is handed to Python, in the terms both binding libraries share: a new object that owns
             * what it got (take, move, copy, automatic), or one that borrows memory C++ keeps (reference), or
             * memory that `parent` (the method's self) owns (reference_internal); automatic_reference (the
             * policy of C++ values passed to Python callables) borrows what lives elsewhere and copies containers.
             */
            enum class return_policy
            {
                owned,
                copy,
                reference,
                reference_internal,
                automatic_reference,
            };
        }
    }
}

#endif
